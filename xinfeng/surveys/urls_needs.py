"""Pages of results, clusters and needs (PART 2), added to ``urls.urlpatterns``."""

from django.urls import path

from .views import needs, results

urlpatterns = [
    path("<id:survey_id>/results/", results.results_page, name="results"),
    path("<id:survey_id>/results/answers.xlsx", results.results_export, name="results_export"),
    path("<id:survey_id>/clusters/", needs.clusters_page, name="clusters"),
    path("<id:survey_id>/clusters/merge/", needs.clusters_merge, name="clusters_merge"),
    path("<id:survey_id>/evaluation/send/", needs.evaluation_send, name="evaluation_send"),
    path("clusters/<id:cluster_id>/", needs.cluster_page, name="cluster"),
    path("needs/", needs.needs_page, name="needs"),
    path("needs/<id:need_id>/", needs.need_page, name="need"),
    path("stopwords/", needs.stopwords_page, name="stopwords"),
]
