from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("language/", views.language_set, name="language"),
]
