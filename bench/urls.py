"""The project's URLs plus the plain-MySQL peer endpoints under /bench/icontains/."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

from .peer import views

urlpatterns = [
    *project_urlpatterns,
    path("bench/icontains/", views.IcontainsSearch.as_view()),
    path("bench/icontains/list/", views.IcontainsList.as_view()),
    path("bench/icontains/suggest/", views.IcontainsSuggest.as_view()),
    path("bench/icontains/<int:pk>/", views.IcontainsDetail.as_view()),
]
