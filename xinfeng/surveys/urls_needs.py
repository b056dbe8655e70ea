"""Pages of results, clusters and needs (PART 2), added to ``urls.urlpatterns``."""

from django.urls import path

from .views import needs, results

urlpatterns = [
    path("<id:pk>/results/", results.results_page, name="results"),
    path("<id:pk>/results/answers.xlsx", results.results_export, name="results_export"),
    path("<id:pk>/clusters/", needs.clusters_page, name="clusters"),
    path("<id:pk>/clusters/merge/", needs.clusters_merge, name="clusters_merge"),
    path("<id:pk>/evaluation/send/", needs.evaluation_send, name="evaluation_send"),
    path("clusters/<id:pk>/", needs.cluster_page, name="cluster"),
    path("needs/", needs.needs_page, name="needs"),
    path("needs/<id:pk>/", needs.need_page, name="need"),
    path("stopwords/", needs.stopwords_page, name="stopwords"),
]
