"""长辈模式 in the browser (issue 16): an older resident orders a service in at most three
taps with nothing typed; 读给我听 hands the page's text to the browser's speechSynthesis
(the test replaces only the browser's own API — getVoices and speak — never our code)."""

import pytest
from playwright.sync_api import expect

from tests.factories import ProjectFactory
from xinfeng.orders.models import Order

from .conftest import login

# The browser API, spied on before any page script runs: one zh-CN voice, speak() recorded.
SPY = """
(() => {
  const synth = window.speechSynthesis;
  window.__spoken = [];
  const voice = { lang: "zh-CN", name: "Test zh-CN", voiceURI: "test-zh", default: true, localService: true };
  synth.getVoices = () => [voice];
  synth.speak = (u) => { window.__spoken.push({ text: u.text, lang: u.lang }); };
})();
"""


@pytest.fixture
def elder(tree, resident):
    resident.home_region = tree.v1
    resident.display_name = "王奶奶"
    resident.save()
    tree.st1.phone = "0792-4561234"
    tree.st1.save(update_fields=["phone"])
    return resident


@pytest.mark.django_db(transaction=True)
def test_an_elder_orders_in_three_taps(phone_page, elder, tree):
    project = ProjectFactory(name="上门理发", site=tree.st1, region=tree.v1)
    ProjectFactory(name="代购药品", site=tree.st1, region=tree.v1)
    page = phone_page
    login(page, "resident")
    page.get_by_role("button", name="长辈模式").click()
    expect(page.locator("html")).to_have_class("care")
    expect(page.locator("a.call-station")).to_have_attribute("href", "tel:0792-4561234")
    page.locator(".topnav").get_by_role("link", name="点单", exact=True).click()
    # Tap 1: the tile.
    expect(page.locator(".care-step")).to_contain_text("1")
    page.get_by_role("link", name="上门理发", exact=False).first.click()
    # Tap 2 and 3: the village is preselected and the phone prefilled; submit.
    expect(page.locator("input[name=contact_phone]")).to_have_value("13800000001")
    expect(page.locator("input[name=region]:checked")).to_have_value(str(tree.v1.pk))
    assert page.locator("textarea").count() == 0
    page.locator("button[type=submit]").click()
    expect(page.locator(".msg-success")).to_be_visible()
    order = Order.objects.get(requester=elder)
    assert page.url.endswith(f"/orders/{order.pk}/")
    assert (order.project_id, order.region_id, order.contact_phone) == (
        project.pk,
        tree.v1.pk,
        "13800000001",
    )


@pytest.mark.django_db(transaction=True)
def test_read_aloud_speaks_the_page(phone_page, elder):
    page = phone_page
    # Without a voice (headless Chromium has none), the button stays hidden.
    login(page, "resident")
    page.goto("/places/sites/")
    if page.evaluate("speechSynthesis.getVoices().length") == 0:
        expect(page.locator("[data-read-aloud]")).to_be_hidden()
    page.add_init_script(SPY)
    page.goto("/places/sites/")
    button = page.locator("[data-read-aloud]")
    expect(button).to_be_visible()
    heading = page.locator("main h1").inner_text()
    main_text = page.evaluate("document.querySelector('main').innerText.replace(/\\s+/g, ' ')")
    button.click()
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1 and spoken[0]["lang"] == "zh-CN"
    text = spoken[0]["text"]
    assert heading in text and len(text) > 20
    # The page's main text, nothing else (no top bar, no footer).
    assert text == main_text.strip()
    assert "新风 · 新时代文明实践与志愿服务平台" not in text
