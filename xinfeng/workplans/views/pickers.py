"""The search endpoint of the task form's owner picker (``/workplans/pick/owners/``, an
htmx fragment of radios, ``regions.pickers.SearchPicker``): the candidates of
``policy.owner_candidates`` for the plan named by ``?plan=``, the set the form accepts.
Only those who may edit the plan search it; signed out answers 401, a bad or missing
plan 400, a plan out of scope 404, never a 500."""

from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from xinfeng.core.errors import PermissionDenied, ValidationFailed
from xinfeng.places.views_pickers import scoped_pick

from .. import policy, selectors
from ..policy import owner_candidates


@never_cache
@require_safe
def pick_owners(request):
    def owners(user):
        raw = request.GET.get("plan") or ""
        if not (raw.isdigit() and len(raw) <= 18):
            raise ValidationFailed(_("请指定工作方案。"), code="bad_plan")
        plan = selectors.plan_get(user=user, plan_id=int(raw))
        if not policy.may_edit_plan(user, plan):
            raise PermissionDenied(_("只有本级或上级的管理员可以修改该工作方案。"))
        return owner_candidates(plan.region)

    return scoped_pick(request, kind="plan_owners", queryset_for=owners)
