from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from xinfeng import views as shell_views
from xinfeng.api import api
from xinfeng.core import views as core_views

admin.site.site_header = _("新风 · 管理后台")
admin.site.site_title = _("新风管理后台")
admin.site.index_title = _("数据管理")
handler404 = "xinfeng.core.views.page_not_found"
handler500 = "xinfeng.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", shell_views.home, name="home"),
    path("accounts/", include("xinfeng.accounts.urls")),
    path("places/", include("xinfeng.places.urls")),
    path("volunteers/", include("xinfeng.volunteers.urls")),
    path("verify/<str:number>", include("xinfeng.volunteers.verify_urls")),
    path("projects/", include("xinfeng.projects.urls")),
    path("orders/", include("xinfeng.orders.urls")),
    path("notifications/", include("xinfeng.notifications.urls")),
    path("activities/", include("xinfeng.activities.urls")),
    path("insights/", include("xinfeng.insights.urls")),
    path("emergency/", include("xinfeng.emergency.urls")),
    path("surveys/", include("xinfeng.surveys.urls")),
    path("assessment/", include("xinfeng.assessment.urls")),
    path("open311/v2/", include("xinfeng.open311.urls")),
    path("sync/", include("xinfeng.sync.urls")),
    path("kiosk/", include("xinfeng.kiosk.urls")),
    path("governance/", include("xinfeng.governance.urls")),
    path("workplans/", include("xinfeng.workplans.urls")),
    path("admin/", admin.site.urls),
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]
