from django.urls import path

from .urls_needs import urlpatterns as needs_urlpatterns
from .views import answer, staff

app_name = "surveys"
urlpatterns = [
    path("", staff.survey_list, name="list"),
    path("new/", staff.survey_create, name="create"),
    path("import/", staff.survey_import, name="import"),
    path("<id:survey_id>/", staff.survey_detail, name="detail"),
    path("<id:survey_id>/edit/", staff.survey_edit, name="edit"),
    path("<id:survey_id>/questions/", staff.survey_questions, name="questions"),
    path("<id:survey_id>/import/", staff.survey_reimport, name="reimport"),
    path("<id:survey_id>/publish/", staff.survey_publish, name="publish"),
    path("<id:survey_id>/close/", staff.survey_close, name="close"),
    path("<id:survey_id>/xlsform.xlsx", staff.survey_export, name="export"),
    path("<id:survey_id>/poster.pdf", staff.survey_poster, name="poster"),
    path("<id:survey_id>/paper/", answer.paper_entry, name="paper"),
    path("<id:survey_id>/answer/", answer.answer_by_id, name="answer"),
    path("s/<str:token>/", answer.answer_by_token, name="answer_token"),
    path("s/<str:token>/thanks/", answer.thanks, name="thanks"),
]
urlpatterns += needs_urlpatterns
