"""Third-party sections of the admin read in the interface's language: the task queue's
section, model and columns are Chinese in the Chinese admin and English in the English
one (they used to show "Tasks Database Backend" / "Task Results" in both)."""

import re

import pytest

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff]")


def _admin(client, sysadmin, url, lang):
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client.force_login(sysadmin)
    resp = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert resp.status_code == 200, url
    return resp.content.decode()


def _captions(page):
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<caption>(.*?)</caption>", page, re.S)
    ]


def test_the_admin_index_names_every_section_in_chinese(client, sysadmin):
    page = _admin(client, sysadmin, "/admin/", "zh-hans")
    assert "后台任务" in _captions(page) and "任务结果" in page
    assert "Tasks Database Backend" not in page and "Task Results" not in page
    # Every section header and model name of the Chinese admin is Chinese.
    rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th>', page, re.S)
    for label in _captions(page) + [re.sub(r"<[^>]+>", "", r).strip() for r in rows]:
        assert CJK.search(label) or label.startswith("API"), label


def test_the_task_list_columns_are_translated_both_ways(client, sysadmin):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        args_kwargs={"args": [[1], ["sms"]], "kwargs": {}},
        task_path="xinfeng.notifications.tasks.deliver_notifications",
        backend_name="default",
        queue_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    url = "/admin/django_tasks_database/dbtaskresult/"
    zh = _admin(client, sysadmin, url, "zh-hans")
    for word in ("任务", "状态", "入队时间", "优先级", "队列", "待执行"):
        assert word in zh, word
    assert "Enqueued at" not in zh and "Task name" not in zh
    en = _admin(client, sysadmin, url, "en")
    assert "Background tasks" in en and "Enqueued at" in en and "Ready" in en
    table = en[en.index('id="result_list"') : en.index("</table>", en.index('id="result_list"'))]
    assert not CJK.search(re.sub(r"<[^>]+>", " ", table))
