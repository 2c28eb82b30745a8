from django.urls import path

from orgs import views

urlpatterns = [
    path("", views.org_tree, name="org_tree"),
    path("<int:pk>/", views.org_detail, name="org_detail"),
    path("<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("<int:pk>/add/", views.org_add_child, name="org_add_child"),
    path("<int:pk>/move/", views.org_move, name="org_move"),
    path("<int:pk>/delete/", views.org_delete, name="org_delete"),
    path("campuses/", views.campus_list, name="campus_list"),
    path("campuses/<int:pk>/edit/", views.campus_edit, name="campus_edit"),
]
