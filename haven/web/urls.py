from django.contrib.auth import views as auth_views
from django.urls import include, path

from haven.accounts.forms import LoginForm
from haven.safety.enums import TargetKind
from haven.web import (
    views,
    views_accounts,
    views_matching,
    views_places,
    views_shelters,
    views_two_factor,
)

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views_accounts.signup, name="signup"),
    path("welcome/", views_accounts.welcome, name="welcome"),
    path("welcome/card/", views_accounts.recovery_card, name="recovery_card"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html", authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("recover/", views_accounts.recover, name="recover"),
    path("me/", views.dashboard, name="dashboard"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/roles/", views_accounts.role_add, name="role_add"),
    path("me/contacts/", views_matching.my_contacts, name="my_contacts"),
    path("me/contacts/desk/", views_matching.contacts_desk, name="contacts_desk"),
    path("me/delete/", views.delete_me, name="delete_me"),
    path("me/2fa/", views_two_factor.two_factor, name="two_factor"),
    path("proposals/<str:public_id>/report/", views.report_new, {"target_kind": TargetKind.PROPOSAL},
         name="proposal_report"),
    path("proposals/<str:public_id>/", views_matching.proposal_detail, name="proposal_detail"),
    path("proposals/<str:public_id>/contacts/", views_matching.proposal_contacts, name="proposal_contacts"),
    path("proposals/<str:public_id>/end/", views_matching.proposal_end, name="proposal_end"),
    path("proposals/<str:public_id>/block/", views_matching.proposal_block, name="proposal_block"),
    path("proposals/<str:public_id>/<str:action>/", views_matching.proposal_action, name="proposal_action"),
    path("places/districts/", views_places.city_districts, name="city_districts"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<str:public_id>/", views.need_detail, name="need_detail"),
    path("needs/<str:public_id>/edit/", views.need_edit, name="need_edit"),
    path("needs/<str:public_id>/close/", views.need_close, name="need_close"),
    path("needs/<str:public_id>/confirm/", views.need_confirm, name="need_confirm"),
    path("needs/<str:public_id>/report/", views.report_new, {"target_kind": TargetKind.NEED}, name="need_report"),
    path("border/", include("haven.web.urls_borders")),
    path("offers/", views.offer_list, name="offer_list"),
    path("offers/new/", views.offer_new, name="offer_new"),
    path("offers/<str:public_id>/", views.offer_detail, name="offer_detail"),
    path("offers/<str:public_id>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<str:public_id>/confirm/", views.offer_confirm, name="offer_confirm"),
    path("offers/<str:public_id>/report/", views.report_new, {"target_kind": TargetKind.OFFER}, name="offer_report"),
    path("offers/<str:public_id>/block/", views.offer_block, name="offer_block"),
    path("offers/<str:public_id>/hold/", views_shelters.shelter_hold_new, name="shelter_hold_new"),
    path("offers/<str:public_id>/arrivals/", views_shelters.shelter_arrival, name="shelter_arrival"),
    path("holds/<str:public_id>/", views_shelters.shelter_hold, name="shelter_hold"),
    path("holds/<str:public_id>/cancel/", views_shelters.shelter_hold_cancel, name="shelter_hold_cancel"),
    path("offers/<str:public_id>/<str:action>/", views.offer_status, name="offer_status"),
    path("offers/<str:public_id>/shelter/<str:direction>/", views.shelter_move, name="shelter_move"),
]
