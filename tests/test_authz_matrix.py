"""The authorization matrix (issue 10): every operation of the OpenAPI document and every page
URL pattern, asked by every demo role inside and outside the scope of the objects, against
the answers written in ONE literal table below (``API`` and ``PAGES``).

- A new operation or page not in the table fails the test with the row to add ("add it to
  the matrix"): someone must decide who may call it.
- A changed answer fails with the operations and roles that moved.
- Every request runs in a savepoint that is rolled back, so a write by one role does not
  change what the next one sees; writes carry an empty JSON body (``{}``): the matrix checks
  who gets past the door (401/403/404 before 400/422), not the business rules.

All objects live in 水口村 (``tree.v1``, under 苏家垱乡 ``t1``). The columns (``ROLES``):

  anon       no one signed in             nobody     signed in, no role
  resident   群众 at 水口村                 volunteer  the volunteer of the objects (own data)
  captain    队长 of the objects' team       st_in      实践站管理员 at 水口村
  st_out     实践站管理员 at 江益村           inst_in    实践所管理员 at 苏家垱乡
  center     实践中心管理员 at the city       lead_in    领导（只读） at 苏家垱乡
  lead_out   领导（只读） at 江益镇           sysadmin   系统管理员

Answer codes: 2 = 2xx, r = 3xx, 1 = 401, 3 = 403, 4 = 404, 5 = 405, v = 400/422 (input),
c = 409, t = 429, e = 5xx (never written in the table: a 5xx always fails).

Regenerate the observed table (to review, never to paste blindly) with
``XINFENG_MATRIX_DUMP=/tmp/matrix.txt pytest tests/test_authz_matrix.py``.
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.assessment.factories import matrix_expenditure, matrix_scheme
from tests.factories import UserFactory, VenueFactory, grant
from tests.governance.factories import matrix_governance
from tests.orders.factories import ProjectFactory, TeamFactory, VolunteerFactory, make_order
from tests.surveys.factories import matrix_surveys
from tests.volunteers.factories import credit, member
from tests.workplans.factories import matrix_workplans
from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import ApiToken
from xinfeng.volunteers.choices import MembershipRole
from xinfeng.volunteers.models import Reward, VolunteerImport

ROLES = [
    "anon",
    "nobody",
    "resident",
    "volunteer",
    "captain",
    "st_in",
    "st_out",
    "inst_in",
    "center",
    "lead_in",
    "lead_out",
    "sysadmin",
]
MISSING = 999_999_999

# fmt: off
# ---------------------------------------------------------------------------------------
# THE TABLE. One line per operation: the answer codes in the order of ROLES:
#   anon nobody resident volunteer captain st_in st_out inst_in center lead_in lead_out sysadmin
API: dict[str, str] = {
    "DELETE /api/v1/accounts/tokens/{token_id}":                        "144442444444",
    "DELETE /api/v1/places/manage/sites/{site_id}/operators/{user_id}": "14444v4vvv4v",
    "GET /api/v1/accounts/me":                                          "122222222222",
    "GET /api/v1/accounts/me/consents":                                 "122222222222",
    "GET /api/v1/accounts/me/data":                                     "122222222222",
    "GET /api/v1/accounts/tokens":                                      "122222222222",
    "GET /api/v1/accounts/users":                                       "122222222222",
    "GET /api/v1/accounts/users/{user_id}":                             "144444444442",
    "GET /api/v1/activities/":                                          "222222222222",
    "GET /api/v1/activities/audience/by-month":                         "222222222222",
    "GET /api/v1/activities/audience/by-region":                        "vvvvvvvvvvvv",
    "GET /api/v1/activities/audience/by-site":                          "222222222222",
    "GET /api/v1/activities/audience/total":                            "222222222222",
    "GET /api/v1/activities/manage":                                    "122222222222",
    "GET /api/v1/activities/my/signups":                                "122222222222",
    "GET /api/v1/activities/news":                                      "222222222222",
    "GET /api/v1/activities/news/{news_id}":                            "444444444444",
    "GET /api/v1/activities/review":                                    "122222222222",
    "GET /api/v1/activities/sites/{site_id}/settings":                  "133332322332",
    "GET /api/v1/activities/venues/{venue_id}/bookings":                "222222222222",
    "GET /api/v1/activities/{activity_id}":                             "444442422442",
    "GET /api/v1/activities/{activity_id}/attendances":                 "144442422442",
    "GET /api/v1/activities/{activity_id}/audience":                    "444442422442",
    "GET /api/v1/activities/{activity_id}/checkin-code":                "144442422442",
    "GET /api/v1/activities/{activity_id}/hours":                       "144442422442",
    "GET /api/v1/activities/{activity_id}/report":                      "444444444444",
    "GET /api/v1/activities/{activity_id}/signups":                     "144442422442",
    "GET /api/v1/insights/coverage":                                    "222222222222",
    "GET /api/v1/insights/map/nearest":                                 "222222222222",
    "GET /api/v1/insights/map/regions":                                 "222222222222",
    "GET /api/v1/insights/map/sites":                                   "222222222222",
    "GET /api/v1/insights/map/sites/{site_id}":                         "222222222222",
    "GET /api/v1/insights/regions/{region_id}/dashboard":               "144442422242",
    "GET /api/v1/notifications/":                                       "122222222222",
    "GET /api/v1/orders/":                                              "122222222222",
    "GET /api/v1/orders/follow-ups":                                    "122222222222",
    "GET /api/v1/orders/{order_id}":                                    "142442422242",
    "GET /api/v1/orders/{order_id}/events":                             "142442422242",
    "GET /api/v1/orders/{order_id}/hours":                              "143443433343",
    "GET /api/v1/orders/{order_id}/member-candidates":                  "143443433343",
    "GET /api/v1/orders/{order_id}/suggestions":                        "143442422342",
    "GET /api/v1/places/manage/sites":                                  "122222222222",
    "GET /api/v1/places/manage/sites/{site_id}":                        "144442422242",
    "GET /api/v1/places/regions":                                       "222222222222",
    "GET /api/v1/places/regions/by-code/{code}":                        "222222222222",
    "GET /api/v1/places/regions/{region_id}":                           "222222222222",
    "GET /api/v1/places/sites":                                         "222222222222",
    "GET /api/v1/places/sites/{site_id}":                               "222222222222",
    "GET /api/v1/places/venues":                                        "222222222222",
    "GET /api/v1/places/venues/{venue_id}":                             "222222222222",
    "GET /api/v1/projects/":                                            "222222222222",
    "GET /api/v1/projects/{project_id}":                                "222222222222",
    "GET /api/v1/surveys/":                                             "133332222332",
    "GET /api/v1/surveys/needs":                                        "133332222332",
    "GET /api/v1/surveys/{survey_id}":                                  "222222222222",
    "GET /api/v1/surveys/{survey_id}/clusters":                         "133332422332",
    "GET /api/v1/surveys/{survey_id}/results":                          "133332422332",
    "POST /api/v1/surveys/{survey_id}/responses":                       "vvvvvvvvvvvv",
    "GET /api/v1/volunteers/":                                          "222222222222",
    "GET /api/v1/volunteers/certificates":                              "222222222222",
    "GET /api/v1/volunteers/certificates/{certificate_id}":             "144242422242",
    "GET /api/v1/volunteers/certificates/{certificate_id}/pdf":         "144242422242",
    "GET /api/v1/volunteers/export.xlsx":                               "133332222332",
    "GET /api/v1/volunteers/hours/disputes":                            "122222222222",
    "GET /api/v1/volunteers/imports":                                   "222222222222",
    "GET /api/v1/volunteers/imports/template.xlsx":                     "222222222222",
    "GET /api/v1/volunteers/imports/{import_id}":                       "444444422442",
    "GET /api/v1/volunteers/imports/{import_id}/rejected.xlsx":         "144444422442",
    "GET /api/v1/volunteers/me":                                        "144224444444",
    "GET /api/v1/volunteers/me/certificates":                           "144224444444",
    "GET /api/v1/volunteers/me/disputes":                               "144224444444",
    "GET /api/v1/volunteers/me/points":                                 "144224444444",
    "GET /api/v1/volunteers/me/records":                                "144224444444",
    "GET /api/v1/volunteers/me/redemptions":                            "144224444444",
    "GET /api/v1/volunteers/me/teams":                                  "144224444444",
    "GET /api/v1/volunteers/records":                                   "222222222222",
    "GET /api/v1/volunteers/records/export.xlsx":                       "133332222332",
    "GET /api/v1/volunteers/records/{record_id}":                       "144242422242",
    "GET /api/v1/volunteers/redemptions":                               "222222222222",
    "GET /api/v1/volunteers/rewards":                                   "222222222222",
    "GET /api/v1/volunteers/rewards/{reward_id}":                       "222222222222",
    "GET /api/v1/volunteers/teams":                                     "222222222222",
    "GET /api/v1/volunteers/teams/{team_id}":                           "222222222222",
    "GET /api/v1/volunteers/teams/{team_id}/members":                   "444222422442",
    "GET /api/v1/volunteers/verify/{number}":                           "444444444444",
    "GET /api/v1/volunteers/{volunteer_id}":                            "144242422242",
    "GET /api/v1/volunteers/{volunteer_id}/points":                     "144242422242",
    "PATCH /api/v1/accounts/me/profile":                                "1vvvvvvvvvvv",
    "PATCH /api/v1/activities/sites/{site_id}/settings":                "133332322332",
    "PATCH /api/v1/activities/{activity_id}":                           "144442422442",
    "PATCH /api/v1/places/sites/{site_id}":                             "144442422342",
    "PATCH /api/v1/places/venues/{venue_id}":                           "144442422342",
    "PATCH /api/v1/projects/{project_id}":                              "133332322332",
    "PATCH /api/v1/volunteers/me":                                      "144224444444",
    "PATCH /api/v1/volunteers/rewards/{reward_id}":                     "133332322332",
    "PATCH /api/v1/volunteers/teams/{team_id}":                         "133322322332",
    "PATCH /api/v1/volunteers/{volunteer_id}":                          "144242422342",
    "POST /api/v1/accounts/codes":                                      "vvvvvvvvvvvv",
    "POST /api/v1/accounts/login/code":                                 "vvvvvvvvvvvv",
    "POST /api/v1/accounts/login/password":                             "vvvvvvvvvvvv",
    "POST /api/v1/accounts/me/close":                                   "1vvvvvvvvvvv",
    "POST /api/v1/accounts/me/phone":                                   "1vvvvvvvvvvv",
    "POST /api/v1/accounts/me/phone/code":                              "1vvvvvvvvvvv",
    "POST /api/v1/accounts/password/reset":                             "vvvvvvvvvvvv",
    "POST /api/v1/accounts/signup":                                     "vvvvvvvvvvvv",
    "POST /api/v1/accounts/tokens":                                     "122222222222",
    "POST /api/v1/activities/":                                         "1vvvvvvvvvvv",
    "POST /api/v1/activities/bookings/{booking_id}/cancel":             "144444444444",
    "POST /api/v1/activities/news":                                     "1vvvvvvvvvvv",
    "POST /api/v1/activities/signups/{signup_id}/cancel":               "144242422442",
    "POST /api/v1/activities/venues/{venue_id}/bookings":               "1vvvvvvvvvvv",
    "POST /api/v1/activities/{activity_id}/approve":                    "1444434cc44c",
    "POST /api/v1/activities/{activity_id}/backfill":                   "1vvvvvvvvvvv",
    "POST /api/v1/activities/{activity_id}/cancel":                     "14444v4vv44v",
    "POST /api/v1/activities/{activity_id}/check-in":                   "1vvvvvvvvvvv",
    "POST /api/v1/activities/{activity_id}/check-out":                  "1vvvvvvvvvvv",
    "POST /api/v1/activities/{activity_id}/checkin-code/renew":         "144442422442",
    "POST /api/v1/activities/{activity_id}/cover":                      "1vvvvvvvvvvv",
    "POST /api/v1/activities/{activity_id}/finish":                     "14444c4cc44c",
    "POST /api/v1/activities/{activity_id}/headcount":                  "1vvvvvvvvvvv",
    "POST /api/v1/activities/{activity_id}/hours/confirm":              "1vvvvvvvvvvv",
    "POST /api/v1/activities/{activity_id}/publish":                    "144442422442",
    "POST /api/v1/activities/{activity_id}/reject":                     "1444434vv44v",
    "POST /api/v1/activities/{activity_id}/report/photos":              "1vvvvvvvvvvv",
    "POST /api/v1/activities/{activity_id}/report/publish":             "144444444444",
    "POST /api/v1/activities/{activity_id}/signups":                    "14444c4cc44c",
    "POST /api/v1/activities/{activity_id}/submit":                     "144442422442",
    "POST /api/v1/activities/{activity_id}/views":                      "144444444444",
    "POST /api/v1/notifications/read":                                  "122222222222",
    "POST /api/v1/orders/":                                             "1vvvvvvvvvvv",
    "POST /api/v1/orders/auto-dispatch":                                "133332222332",
    "POST /api/v1/orders/follow-ups/{follow_up_id}/close":              "1vvvvvvvvvvv",
    "POST /api/v1/orders/{order_id}/accept":                            "143443433343",
    "POST /api/v1/orders/{order_id}/approve":                           "143442422342",
    "POST /api/v1/orders/{order_id}/cancel":                            "142442422342",
    "POST /api/v1/orders/{order_id}/complete":                          "1vvvvvvvvvvv",
    "POST /api/v1/orders/{order_id}/confirm":                           "144444444444",
    "POST /api/v1/orders/{order_id}/decline":                           "14v44v4vvv4v",
    "POST /api/v1/orders/{order_id}/dispatch":                          "1vvvvvvvvvvv",
    "POST /api/v1/orders/{order_id}/grab":                              "1vvv4vvvvvvv",
    "POST /api/v1/orders/{order_id}/member-decline":                    "144444444444",
    "POST /api/v1/orders/{order_id}/members":                           "143443433343",
    "POST /api/v1/orders/{order_id}/open":                              "14344c4cc34c",
    "POST /api/v1/orders/{order_id}/rate":                              "1vvvvvvvvvvv",
    "POST /api/v1/orders/{order_id}/reject":                            "14v44v4vvv4v",
    "POST /api/v1/orders/{order_id}/start":                             "143443433343",
    "POST /api/v1/places/manage/sites/{site_id}/operators":             "1vvvvvvvvvvv",
    "POST /api/v1/places/sites":                                        "1vvvvvvvvvvv",
    "POST /api/v1/places/sites/{site_id}/venues":                       "1vvvvvvvvvvv",
    "POST /api/v1/projects/":                                           "1vvvvvvvvvvv",
    "POST /api/v1/projects/{project_id}/activate":                      "13333c3cc33c",
    "POST /api/v1/projects/{project_id}/approve":                       "1333333cc33c",
    "POST /api/v1/projects/{project_id}/demo":                          "1vvvvvvvvvvv",
    "POST /api/v1/projects/{project_id}/retire":                        "133332322332",
    "POST /api/v1/sync/inbound/service-records":                        "111111111111",
    "POST /api/v1/sync/inbound/volunteers":                             "111111111111",
    "POST /api/v1/volunteers/":                                         "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/certificates":                             "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/certificates/{certificate_id}/revoke":     "14434v4vv34v",
    "POST /api/v1/volunteers/hours/disputes/{dispute_id}/resolve":      "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/imports":                                  "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/me/consents":                              "144224444444",
    "POST /api/v1/volunteers/me/records/{record_id}/dispute":           "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/memberships/{membership_id}/approve":      "1443cc4cc44c",
    "POST /api/v1/volunteers/memberships/{membership_id}/leave":        "144222422442",
    "POST /api/v1/volunteers/memberships/{membership_id}/reject":       "1443cc4cc44c",
    "POST /api/v1/volunteers/memberships/{membership_id}/role":         "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/records":                                  "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/records/{record_id}/correct":              "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/redemptions/{redemption_id}/cancel":       "144242422442",
    "POST /api/v1/volunteers/redemptions/{redemption_id}/deliver":      "144342422442",
    "POST /api/v1/volunteers/register":                                 "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/rewards":                                  "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/rewards/{reward_id}/redeem":               "1332c3333333",
    "POST /api/v1/volunteers/rewards/{reward_id}/restock":              "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/teams":                                    "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/teams/{team_id}/join":                     "133cc3333333",
    "POST /api/v1/volunteers/teams/{team_id}/members":                  "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/{volunteer_id}/guardian-consent":          "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/{volunteer_id}/points":                    "1vvvvvvvvvvv",
    "POST /api/v1/volunteers/{volunteer_id}/reveal":                    "1vvvvvvvvvvv",
    "PUT /api/v1/accounts/me/consents/{kind}":                          "1vvvvvvvvvvv",
    "PUT /api/v1/activities/{activity_id}/report":                      "1vvvvvvvvvvv",
    # emergency (#14)
    "GET /api/v1/emergency/callouts/{callout_id}":                       "444444444444",
    "GET /api/v1/emergency/callouts/{callout_id}/board":                 "444444444444",
    "GET /api/v1/emergency/incidents":                                   "222222222222",
    "GET /api/v1/emergency/incidents/{incident_id}":                     "444442422242",
    "GET /api/v1/emergency/needs/{need_id}":                             "444444444444",
    "GET /api/v1/emergency/sitreps/{sitrep_id}":                         "444444444444",
    "GET /api/v1/emergency/stations/{station_id}":                       "444444444444",
    "GET /api/v1/emergency/teams/{team_id}/roster":                      "133322322332",
    "POST /api/v1/emergency/answers/{token}":                            "vvvvvvvvvvvv",
    "POST /api/v1/emergency/callouts/{callout_id}/close":                "144444444444",
    "POST /api/v1/emergency/callouts/{callout_id}/recipients/{recipient_id}/arrived": "144444444444",
    "POST /api/v1/emergency/incidents":                                  "1vvvvvvvvvvv",
    "POST /api/v1/emergency/incidents/{incident_id}/callouts":           "1vvvvvvvvvvv",
    "POST /api/v1/emergency/incidents/{incident_id}/close":              "144443422342",
    "POST /api/v1/emergency/incidents/{incident_id}/level":              "1vvvvvvvvvvv",
    "POST /api/v1/emergency/incidents/{incident_id}/needs":              "1vvvvvvvvvvv",
    "POST /api/v1/emergency/incidents/{incident_id}/notices":            "1vvvvvvvvvvv",
    "POST /api/v1/emergency/incidents/{incident_id}/sitreps":            "144443422342",
    "POST /api/v1/emergency/incidents/{incident_id}/stations":           "1vvvvvvvvvvv",
    "POST /api/v1/emergency/needs/{need_id}/close":                      "144444444444",
    "POST /api/v1/emergency/needs/{need_id}/commit":                     "144444444444",
    "POST /api/v1/emergency/stations/{station_id}/checkin":              "144444444444",
    "POST /api/v1/emergency/stations/{station_id}/checkout":             "144444444444",
    "POST /api/v1/emergency/stations/{station_id}/close":                "144444444444",
    "POST /api/v1/emergency/stations/{station_id}/projects":             "1vvvvvvvvvvv",
    "POST /api/v1/emergency/stations/{station_id}/services":             "1vvvvvvvvvvv",
    "POST /api/v1/emergency/teams/{team_id}/shifts":                     "1vvvvvvvvvvv",
    "POST /api/v1/emergency/unavailability":                             "1vvvvvvvvvvv",
    "PUT /api/v1/emergency/me/profile":                                  "1vv22vvvvvvv",
    "GET /api/v1/assessment/funding-costs":                             "144442222222",
    "GET /api/v1/assessment/funding-datapackage.zip":                   "144442222222",
    "GET /api/v1/assessment/funding-export.xlsx":                       "144442222222",
    "GET /api/v1/assessment/funding-summary":                           "144442222222",
    "GET /api/v1/assessment/funding/allocations":                       "122222222222",
    "GET /api/v1/assessment/funding/expenditures":                      "122222222222",
    "GET /api/v1/assessment/funding/{ledger}/{line_id}":                "144442422242",
    "POST /api/v1/assessment/funding/allocations":                      "1vvvvvvvvvvv",
    "POST /api/v1/assessment/funding/expenditures":                     "1vvvvvvvvvvv",
    "POST /api/v1/assessment/funding/{ledger}/{line_id}/approve":       "1444434cc34c",
    "POST /api/v1/assessment/funding/{ledger}/{line_id}/reject":        "1444434cc34c",
    "POST /api/v1/assessment/funding/{ledger}/{line_id}/reverse":       "1vvvvvvvvvvv",
    "GET /api/v1/assessment/schemes":                                   "122222222222",
    "GET /api/v1/assessment/schemes/{scheme_id}":                       "144442422242",
    "GET /api/v1/assessment/schemes/{scheme_id}/export.xlsx":           "144442422242",
    "POST /api/v1/assessment/schemes":                                  "1vvvvvvvvvvv",
    "POST /api/v1/assessment/schemes/{scheme_id}/import":               "1vvvvvvvvvvv",
    "POST /api/v1/assessment/schemes/{scheme_id}/nodes":                "1vvvvvvvvvvv",
    "POST /api/v1/assessment/schemes/{scheme_id}/publish":              "1444434vv34v",
    "POST /api/v1/assessment/schemes/{scheme_id}/versions":             "144443422342",
    "GET /api/v1/assessment/results/{result_id}":                       "144444444444",
    "GET /api/v1/assessment/schemes/{scheme_id}/results":               "144442422242",
    "POST /api/v1/assessment/schemes/{scheme_id}/results":              "1vvvvvvvvvvv",
    "GET /api/v1/assessment/schemes/{scheme_id}/manual-scores":         "144442422242",
    "POST /api/v1/assessment/manual-scores/{score_id}/confirm":         "144444444444",
    "POST /api/v1/assessment/manual-scores/{score_id}/statement":       "1vvvvvvvvvvv",
    "POST /api/v1/assessment/schemes/{scheme_id}/manual-scores":        "1vvvvvvvvvvv",
    "DELETE /api/v1/governance/members/{member_id}":                    "144442422342",
    "GET /api/v1/governance/departments":                               "144442222222",
    "GET /api/v1/governance/groups":                                    "122222222222",
    "GET /api/v1/governance/groups/{group_id}":                         "144442422242",
    "GET /api/v1/governance/handovers":                                 "122222222222",
    "GET /api/v1/governance/handovers/{handover_id}":                   "144442422242",
    "GET /api/v1/governance/sites":                                     "122222222222",
    "GET /api/v1/governance/sites/{site_id}":                           "144442422242",
    "POST /api/v1/governance/decisions/{decision_id}/task":             "1vvvvvvvvvvv",
    "POST /api/v1/governance/groups":                                   "1vvvvvvvvvvv",
    "POST /api/v1/governance/groups/{group_id}/meetings":               "1vvvvvvvvvvv",
    "POST /api/v1/governance/groups/{group_id}/members":                "1vvvvvvvvvvv",
    "POST /api/v1/governance/sites/{site_id}/handovers":                "1vvvvvvvvvvv",
    "POST /api/v1/governance/sites/{site_id}/staff":                    "1vvvvvvvvvvv",
    "POST /api/v1/governance/sites/{site_id}/terms":                    "1vvvvvvvvvvv",
    "POST /api/v1/governance/staff/{staff_id}/end":                     "1vvvvvvvvvvv",
    "GET /api/v1/workplans/demo-sites":                                 "222222222222",
    "GET /api/v1/workplans/demo-sites/map":                             "222222222222",
    "GET /api/v1/workplans/demo-sites/townships":                       "222222222222",
    "GET /api/v1/workplans/demo-sites/{designation_id}":                "222222222222",
    "GET /api/v1/workplans/plans":                                      "122222222222",
    "GET /api/v1/workplans/plans/{plan_id}":                            "144442422242",
    "GET /api/v1/workplans/plans/{plan_id}/tasks":                      "144442422242",
    "GET /api/v1/workplans/progress":                                   "144442222222",
    "GET /api/v1/workplans/tasks/{task_id}":                            "144442422242",
    "POST /api/v1/workplans/demo-sites":                                "1vvvvvvvvvvv",
    "POST /api/v1/workplans/demo-sites/{designation_id}/reviews":       "1vvvvvvvvvvv",
    "POST /api/v1/workplans/plans":                                     "1vvvvvvvvvvv",
    "POST /api/v1/workplans/plans/{plan_id}/goals":                     "1vvvvvvvvvvv",
    "POST /api/v1/workplans/plans/{plan_id}/tasks":                     "1vvvvvvvvvvv",
    "POST /api/v1/workplans/tasks/{task_id}/evidence":                  "14444v4vv34v",
    "POST /api/v1/workplans/tasks/{task_id}/status":                    "1vvvvvvvvvvv",
}

PAGES: dict[str, str] = {
    "":                                                                   "222222222222",
    "accounts/care/":                                                     "555555555555",
    "accounts/login/":                                                    "222222222222",
    "accounts/login/code/":                                               "222222222222",
    "accounts/login/code/verify/":                                        "rrrrrrrrrrrr",
    "accounts/me/":                                                       "r22222222222",
    "accounts/me/data/":                                                  "r22222222222",
    "accounts/me/data/close/":                                            "r55555555555",
    "accounts/me/data/consents/<str:kind>/":                              "r55555555555",
    "accounts/me/data/export.json":                                       "r22222222222",
    "accounts/me/data/export.xlsx":                                       "r22222222222",
    "accounts/password/":                                                 "r22222222222",
    "accounts/password/reset/":                                           "222222222222",
    "accounts/password/reset/verify/":                                    "rrrrrrrrrrrr",
    "accounts/phone/":                                                    "r22222222222",
    "accounts/phone/verify/":                                             "rrrrrrrrrrrr",
    "accounts/signup/":                                                   "2rrrrrrrrrrr",
    "accounts/signup/verify/":                                            "rrrrrrrrrrrr",
    "accounts/tokens/":                                                   "r22222222222",
    "accounts/tokens/<id:token_id>/revoke/":                              "r55555555555",
    "activities/":                                                        "222222222222",
    "activities/<int:activity_id>/":                                      "444442422442",
    "activities/<int:activity_id>/check/":                                "r55555555555",
    "activities/<int:activity_id>/manage/":                               "r44442422442",
    "activities/<int:activity_id>/manage/action/":                        "r55555555555",
    "activities/<int:activity_id>/manage/edit/":                          "r44442422442",
    "activities/<int:activity_id>/manage/headcount/":                     "r55555555555",
    "activities/<int:activity_id>/manage/hours/":                         "r55555555555",
    "activities/<int:activity_id>/manage/person/":                        "r55555555555",
    "activities/<int:activity_id>/manage/report/":                        "r44442422442",
    "activities/<int:activity_id>/qr.svg":                                "r44442422442",
    "activities/<int:activity_id>/scan/":                                 "444442422442",
    "activities/<int:activity_id>/signup/":                               "r55555555555",
    "activities/<int:activity_id>/signup/cancel/":                        "r55555555555",
    "activities/<int:activity_id>/watch/":                                "444444444444",
    "activities/audience/":                                               "222222222222",
    "activities/calendar.ics":                                            "222222222222",
    "activities/calendar/":                                               "222222222222",
    "activities/manage/":                                                 "r22222222222",
    "activities/manage/new/":                                             "r44442222442",
    "activities/manage/pick/projects/":                                   "1vvvvvvvvvvv",
    "activities/manage/pick/venues/":                                     "1vvvvvvvvvvv",
    "activities/my/":                                                     "r22222222222",
    "activities/news/":                                                   "222222222222",
    "activities/news/<int:news_id>/":                                     "444444444444",
    "activities/news/feed/":                                              "222222222222",
    "activities/news/new/":                                               "r44442222442",
    "activities/sites/<int:site_id>/settings/":                           "r44442422442",
    "activities/venues/<int:venue_id>/":                                  "222222222222",
    "activities/venues/<int:venue_id>/bookings/<int:booking_id>/cancel/": "r55555555555",
    "healthz":                                                            "222222222222",
    "insights/":                                                          "r3333rrrrrrr",
    "insights/coverage/":                                                 "222222222222",
    "insights/dashboard/<int:region_id>/":                                "r44442422242",
    "insights/dashboard/<int:region_id>/export.xlsx":                     "r44442422242",
    "insights/map/":                                                      "222222222222",
    "notifications/":                                                     "r22222222222",
    "notifications/read/":                                                "r55555555555",
    "open311/v2/discovery.<str:fmt>":                                     "222222222222",
    "open311/v2/requests.<str:fmt>":                                      "222222222222",
    "open311/v2/requests/<str:rid>.<str:fmt>":                            "222222222222",
    "open311/v2/services.<str:fmt>":                                      "222222222222",
    "open311/v2/services/<str:code>.<str:fmt>":                           "444444444444",
    "open311/v2/tokens/<str:token>.<str:fmt>":                            "444444444444",
    "orders/":                                                            "rrrrrrrrrrrr",
    "orders/<int:order_id>/":                                             "r42442422242",
    "orders/<int:order_id>/<slug:action>/":                               "r55555555555",
    "orders/<int:order_id>/members/pick/":                                "r44444444444",
    "orders/<int:order_id>/rate/":                                        "r42442422242",
    "orders/auto-dispatch/":                                              "r55555555555",
    "orders/follow-ups/":                                                 "r44442222442",
    "orders/follow-ups/<int:follow_up_id>/":                              "r44442422242",
    "orders/mine/":                                                       "r22222222222",
    "kiosk/<int:site_id>/":                                               "222222222222",
    "kiosk/<int:site_id>/code/":                                          "rrrrrrrrrrrr",
    "kiosk/<int:site_id>/code/verify/":                                   "rrrrrrrrrrrr",
    "kiosk/<int:site_id>/done/":                                          "rrrrrrrrrrrr",
    "kiosk/<int:site_id>/activities/":                                    "rrrrrrrrrrrr",
    "kiosk/<int:site_id>/end/":                                           "rrrrrrrrrrrr",
    "kiosk/<int:site_id>/order/":                                         "rrrrrrrrrrrr",
    "kiosk/<int:site_id>/pair/":                                          "rrrrrrrrrrrr",
    "kiosk/<int:site_id>/walk-in/":                                       "rrrrrrrrrrrr",
    "kiosk/<int:site_id>/qr/":                                            "rrrrrrrrrrrr",
    "kiosk/me/qr/":                                                       "r22222222222",
    "kiosk/walk-ins/<int:walk_in_id>/confirm/":                           "555555555555",
    "kiosk/devices/":                                                     "r44442222442",
    "kiosk/devices/<int:device_id>/revoke/":                              "555555555555",
    "orders/care/":                                                       "r22222222222",
    "orders/new/":                                                        "r22222222222",
    "orders/new/staff/":                                                  "r44442222442",
    "orders/queue/":                                                      "r44442222442",
    "orders/team/":                                                       "r22222222222",
    "places/manage/":                                                     "r22222222222",
    "places/manage/sites/<id:site_id>/":                                  "r44442422442",
    "places/manage/sites/<id:site_id>/operators/":                        "r55555555555",
    "places/manage/sites/<id:site_id>/operators/<id:user_id>/remove/":    "r55555555555",
    "places/manage/sites/<id:site_id>/venues/new/":                       "r44442422442",
    "places/manage/sites/new/":                                           "r44442222442",
    "places/manage/venues/<id:venue_id>/":                                "r44442422442",
    "places/pick/regions/":                                               "vvvvvvvvvvvv",
    "places/pick/sites/":                                                 "1vvvvvvvvvvv",
    "places/sites/":                                                      "222222222222",
    "places/sites/<id:site_id>/":                                         "222222222222",
    "projects/":                                                          "222222222222",
    "projects/<int:project_id>/":                                         "222222222222",
    "projects/<int:project_id>/<slug:action>/":                           "r55555555555",
    "projects/approvals/":                                                "r22222222222",
    "projects/new/":                                                      "r44442222442",
    "sync/":                                                              "r33333332332",
    "sync/rows/<int:pk>/retry":                                           "r55555555555",
    "sync/targets/<str:target>/pause":                                    "r55555555555",
    "sync/targets/<str:target>/reconciliation.csv":                       "r33333334334",
    "verify/<str:number>":                                                "444444444444",
    "surveys/":                                                           "r33332222332",
    "surveys/<id:survey_id>/":                                            "r33332422332",
    "surveys/<id:survey_id>/answer/":                                     "222222222222",
    "surveys/<id:survey_id>/close/":                                      "r55555555555",
    "surveys/<id:survey_id>/edit/":                                       "r33332422332",
    "surveys/<id:survey_id>/import/":                                     "r33332422332",
    "surveys/<id:survey_id>/paper/":                                      "r33332422332",
    "surveys/<id:survey_id>/poster.pdf":                                  "r33332422332",
    "surveys/<id:survey_id>/publish/":                                    "r55555555555",
    "surveys/<id:survey_id>/questions/":                                  "r33332422332",
    "surveys/<id:survey_id>/xlsform.xlsx":                                "r33332422332",
    "surveys/import/":                                                    "r33332222332",
    "surveys/new/":                                                       "r33332222332",
    "surveys/s/<str:token>/":                                             "444444444444",
    "surveys/s/<str:token>/thanks/":                                      "444444444444",
    # surveys PART 2: results, clusters, needs (#13)
    "surveys/<id:survey_id>/results/":                                    "r33332422332",
    "surveys/<id:survey_id>/results/answers.xlsx":                        "r33332422332",
    "surveys/<id:survey_id>/clusters/":                                   "r33332422332",
    "surveys/<id:survey_id>/clusters/merge/":                             "555555555555",
    "surveys/<id:survey_id>/evaluation/send/":                            "555555555555",
    "surveys/clusters/<id:cluster_id>/":                                  "r33332422332",
    "surveys/needs/":                                                     "r33332222332",
    "surveys/needs/<id:need_id>/":                                        "r33332422332",
    "surveys/stopwords/":                                                 "r33332222332",
    "volunteers/":                                                        "rrr22rrrrrrr",
    "volunteers/certificates/<int:certificate_id>.pdf":                   "r44242422242",
    "volunteers/exchange/":                                               "222222222222",
    "volunteers/exchange/<int:reward_id>/redeem/":                        "r55555555555",
    "volunteers/hours/disputes/":                                         "r22222222222",
    "volunteers/manage/":                                                 "r33332222222",
    "volunteers/manage/<int:volunteer_id>/":                              "r44242422242",
    "volunteers/manage/<int:volunteer_id>/backfill/":                     "r44242422242",
    "volunteers/manage/<int:volunteer_id>/certificate/":                  "r55555555555",
    "volunteers/manage/<int:volunteer_id>/guardian/":                     "r55555555555",
    "volunteers/manage/certificates/<int:certificate_id>/revoke/":        "r55555555555",
    "volunteers/manage/exchange/":                                        "r33332222332",
    "volunteers/manage/imports/":                                         "r33332222332",
    "volunteers/manage/imports/<int:import_id>/":                         "r44444422442",
    "volunteers/manage/imports/template.xlsx":                            "222222222222",
    "volunteers/manage/new/":                                             "r33332222332",
    "volunteers/manage/records/":                                         "r33332222222",
    "volunteers/manage/records/<int:record_id>/correct/":                 "r44242422242",
    "volunteers/manage/redemptions/<int:redemption_id>/deliver/":         "r55555555555",
    "volunteers/manage/rewards/<int:reward_id>/restock/":                 "r55555555555",
    "volunteers/me/certificates/":                                        "rrr22rrrrrrr",
    "volunteers/me/consent/":                                             "r55555555555",
    "volunteers/me/edit/":                                                "rrr22rrrrrrr",
    "volunteers/me/hours/":                                               "rrr22rrrrrrr",
    "volunteers/me/hours/<int:record_id>/dispute/":                       "r55555555555",
    "volunteers/me/points/":                                              "rrr22rrrrrrr",
    "volunteers/me/teams/":                                               "rrr22rrrrrrr",
    "volunteers/memberships/<int:membership_id>/<str:action>/":           "r55555555555",
    "volunteers/pick/sites/":                                             "1vvvvvvvvvvv",
    "volunteers/pick/teams/":                                             "1vvvvvvvvvvv",
    "volunteers/privacy/":                                                "222222222222",
    "volunteers/redemptions/<int:redemption_id>/cancel/":                 "r55555555555",
    "volunteers/register/":                                               "r22rr2222222",
    "volunteers/reveal/<int:volunteer_id>/<str:field>/":                  "r55555555555",
    "volunteers/teams/":                                                  "222222222222",
    "volunteers/teams/<int:team_id>/":                                    "222222222222",
    "volunteers/teams/<int:team_id>/edit/":                               "r33322322332",
    "volunteers/teams/<int:team_id>/join/":                               "r55555555555",
    "volunteers/teams/<int:team_id>/members/":                            "r55555555555",
    "volunteers/teams/new/":                                              "r33332222332",
    # emergency (#14), online lectures
    "activities/<int:activity_id>/watch/play/":                            "555555555555",
    "activities/lectures/":                                                "222222222222",
    "emergency/":                                                          "r22222222222",
    "emergency/<int:pk>/":                                                 "r44442422242",
    "emergency/<int:pk>/close/":                                           "r55555555555",
    "emergency/a/<str:token>/":                                            "444444444444",
    "emergency/callouts/<int:pk>/":                                        "r44444444444",
    "emergency/callouts/<int:pk>/arrived/<int:rid>/":                      "r55555555555",
    "emergency/callouts/<int:pk>/board/":                                  "r44444444444",
    "emergency/callouts/<int:pk>/close/":                                  "r55555555555",
    "emergency/cap.xml":                                                   "222222222222",
    "emergency/cap/<uuid:identifier>.xml":                                 "444444444444",
    "emergency/me/":                                                       "rrr22rrrrrrr",
    "emergency/needs/<int:pk>/close/":                                     "r55555555555",
    "emergency/needs/<int:pk>/commit/":                                    "r55555555555",
    "emergency/new/":                                                      "r33333322332",  # only who may declare somewhere (institute, center, system admin)
    "emergency/s/<str:token>/":                                            "r44444444444",
    "emergency/sitreps/<int:pk>.<str:fmt>":                                "r44444444444",
    "emergency/stations/<int:pk>/":                                        "r44444444444",
    "emergency/stations/<int:pk>/qr.svg":                                  "r44444444444",
    "emergency/stations/<int:pk>/close/":                                  "r55555555555",
    "emergency/teams/<int:pk>/roster/":                                    "r33322322332",
    "assessment/funding/":                                                "r44442222222",
    "assessment/funding/<str:ledger>/<int:line_id>/<str:action>":         "r55555555555",
    "assessment/funding/allocations/new":                                 "r55555555555",
    "assessment/funding/expenditures/new":                                "r55555555555",
    "assessment/":                                                        "r44442222222",
    "assessment/schemes/<int:scheme_id>/":                                "r44442422242",
    "assessment/schemes/<int:scheme_id>/<str:action>":                    "r55555555555",
    "assessment/schemes/<int:scheme_id>/export.xlsx":                     "r44442422242",
    "assessment/schemes/<int:scheme_id>/nodes":                           "r55555555555",
    "assessment/schemes/new":                                             "r55555555555",
    "assessment/results/<int:result_id>/":                                "r44444444444",
    "assessment/results/<int:result_id>/report.pdf":                      "r44444444444",
    "assessment/schemes/<int:scheme_id>/results.xlsx":                    "r44442422242",
    "assessment/schemes/<int:scheme_id>/results/":                        "r44442422242",
    "assessment/schemes/<int:scheme_id>/results/compute":                 "r55555555555",
    "assessment/schemes/<int:scheme_id>/manual/":                         "r44442422242",
    "assessment/schemes/<int:scheme_id>/manual/units/":                   "r44443422342",  # staff of the assessing level or inspectors
    "assessment/schemes/<int:scheme_id>/manual/new":                      "r44444444444",  # no unit named: 404
    "assessment/manual/<int:score_id>/":                                  "r44444444444",
    "assessment/manual/<int:score_id>/statement":                         "r55555555555",
    "assessment/manual/<int:score_id>/confirm":                           "r55555555555",
    "governance/":                                                        "r22222222222",
    "governance/decisions/<id:decision_id>/task":                         "r55555555555",
    "governance/departments/":                                            "r44442222222",
    "governance/gaps/":                                                   "r22222222222",
    "governance/groups/":                                                 "r22222222222",
    "governance/groups/<id:group_id>/":                                   "r44442422242",
    "governance/groups/<id:group_id>/meetings":                           "r55555555555",
    "governance/groups/<id:group_id>/members":                            "r55555555555",
    "governance/groups/new":                                              "r55555555555",
    "governance/handovers/":                                              "r22222222222",
    "governance/handovers/<id:handover_id>/":                             "r44442422242",
    "governance/members/<id:member_id>/remove":                           "r55555555555",
    "governance/sites/<id:site_id>/":                                     "r44442422242",
    "governance/sites/<id:site_id>/handovers":                            "r55555555555",
    "governance/sites/<id:site_id>/staff":                                "r55555555555",
    "governance/sites/<id:site_id>/terms":                                "r55555555555",
    "governance/staff/<id:staff_id>/end":                                 "r55555555555",
    "workplans/":                                                         "r22222222222",
    "workplans/<id:plan_id>/":                                            "r44442422242",
    "workplans/<id:plan_id>/goals/new/":                                  "555555555555",
    "workplans/<id:plan_id>/tasks/new/":                                  "555555555555",
    "workplans/demo-sites/":                                              "222222222222",
    "workplans/demo-sites/<id:designation_id>/review/":                   "555555555555",
    "workplans/demo-sites/townships/":                                    "222222222222",
    "workplans/demo-sites/townships/<id:township_id>/":                   "222222222222",
    "workplans/demo-sites/townships/<id:township_id>/designate/":         "555555555555",
    "workplans/pick/owners/":                                             "1vvvvvvvvvvv",
    "workplans/progress/":                                                "r44442222222",
    "workplans/tasks/<id:task_id>/":                                      "r44442422242",
    "workplans/tasks/<id:task_id>/evidence/":                             "555555555555",
    "workplans/tasks/<id:task_id>/status/":                               "555555555555",
}
# fmt: on
# ---------------------------------------------------------------------------------------


def code(status: int) -> str:
    if 200 <= status < 300:
        return "2"
    if 300 <= status < 400:
        return "r"
    return {401: "1", 403: "3", 404: "4", 405: "5", 409: "c", 429: "t"}.get(
        status, "v" if status in (400, 413, 415, 422) else "e" if status >= 500 else "?"
    )


@pytest.fixture
def world(tree):
    now = timezone.now()
    vol_user = grant(UserFactory(username="m-vol"), Role.VOLUNTEER, tree.v1)
    v = VolunteerFactory(home_region=tree.v1, user=vol_user, phone="13900001111")
    team = TeamFactory(home_site=tree.st1, region=tree.v1)
    membership = member(team, v)
    cap_user = grant(UserFactory(username="m-cap"), Role.TEAM_LEADER, tree.v1)
    captain_v = VolunteerFactory(home_region=tree.v1, user=cap_user)
    member(team, captain_v, role=MembershipRole.LEADER)
    record = credit(v, tree.v1, hours=3)
    st_in = grant(UserFactory(username="m-st-in"), Role.STATION_OPERATOR, tree.v1)
    users = {
        "anon": None,
        "nobody": UserFactory(username="m-nobody"),
        "resident": grant(UserFactory(username="m-res"), Role.RESIDENT, tree.v1),
        "volunteer": vol_user,
        "captain": cap_user,
        "st_in": st_in,
        "st_out": grant(UserFactory(username="m-st-out"), Role.STATION_OPERATOR, tree.v2),
        "inst_in": grant(UserFactory(username="m-inst"), Role.INSTITUTE_ADMIN, tree.t1),
        "center": grant(UserFactory(username="m-center"), Role.CENTER_ADMIN, tree.city),
        "lead_in": grant(UserFactory(username="m-lead-in"), Role.LEADER, tree.t1),
        "lead_out": grant(UserFactory(username="m-lead-out"), Role.LEADER, tree.t2),
        "sysadmin": grant(UserFactory(username="m-sys"), Role.SYSTEM_ADMIN, tree.city),
    }
    venue = VenueFactory(site=tree.st1)
    project = ProjectFactory(site=tree.st1, region=tree.v1)
    order = make_order(region=tree.v1, site=tree.st1, project=project, requester=users["resident"])
    reward = Reward.objects.create(site=tree.st1, name="洗衣液", points_cost=5, stock=3)
    from xinfeng.activities.models import Activity

    activity = Activity.objects.create(
        title="矩阵活动",
        category="theory",
        site=tree.st1,
        region=tree.v1,
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=2),
        capacity=20,
    )
    job = VolunteerImport.objects.create(
        region=tree.t1, created_by=st_in, file_name="v.xlsx", file_sha256="0" * 64
    )
    token, _raw = ApiToken.issue(user=st_in, name="matrix")
    more = _more_objects(tree, now, v, vol_user, st_in, activity, order, reward)
    ids = {
        **more,
        "activity_id": activity.pk,
        "site_id": tree.st1.pk,
        "venue_id": venue.pk,
        "order_id": order.pk,
        "project_id": project.pk,
        "team_id": team.pk,
        "volunteer_id": v.pk,
        "record_id": record.pk,
        "membership_id": membership.pk,
        "reward_id": reward.pk,
        "import_id": job.pk,
        "region_id": tree.v1.pk,
        "user_id": vol_user.pk,
        "token_id": token.pk,
        "code": tree.v1.code,
        "number": v.number,
        "kind": "location",
        "field": "phone",
        "action": "approve",
        "fmt": "json",
        "rid": str(order.pk),
        "token": "x",
        "ledger": "expenditures",
        "line_id": matrix_expenditure(tree).pk,
        "scheme_id": matrix_scheme(tree).pk,
        **matrix_workplans(tree, st_in),
        **matrix_surveys(tree, st_in),
        **matrix_governance(tree, st_in),
    }
    return users, ids


def _more_objects(tree, now, v, vol_user, st_in, activity, order, reward) -> dict:
    """Objects of the other apps, all in 水口村 / 苏家垱乡, so their ids are bound too."""
    from xinfeng.activities.choices import NewsKind, SignupState
    from xinfeng.activities.models import News, Signup
    from xinfeng.emergency.choices import IncidentKind, IncidentLevel
    from xinfeng.emergency.models import Incident
    from xinfeng.orders.models import FollowUp
    from xinfeng.volunteers.models import Certificate
    from xinfeng.volunteers.services.exchange import reward_redeem

    certificate = Certificate.objects.create(
        number="ZM2099000001",
        volunteer=v,
        issuer_site=tree.st1,
        region=tree.v1,
        issuer_name=tree.st1.name,
        volunteer_name=v.name,
        volunteer_number=v.number,
        period_end=now.date(),
        hours=3,
        record_count=1,
        summary="矩阵",
        issued_by=st_in,
    )
    news = News.objects.create(
        site=tree.st1, region=tree.v1, kind=NewsKind.NEWS, title="矩阵新闻", body="正文"
    )
    signup = Signup.objects.create(
        activity=activity, user=vol_user, volunteer=v, state=SignupState.CONFIRMED
    )
    type(activity).objects.filter(pk=activity.pk).update(signup_count=1)
    follow_up = FollowUp.objects.create(order=order, site=tree.st1, region=tree.v1, opened_at=now)
    incident = Incident.objects.create(
        title="矩阵演练",
        kind=IncidentKind.FLOOD,
        level=IncidentLevel.IV,
        region=tree.t1,
        is_exercise=True,
        declared_at=now,
    )
    incident.affected_regions.add(tree.v1)
    redemption = reward_redeem(actor=vol_user, reward=reward)
    return {
        "certificate_id": certificate.pk,
        "news_id": news.pk,
        "signup_id": signup.pk,
        "follow_up_id": follow_up.pk,
        "incident_id": incident.pk,
        "redemption_id": redemption.pk,
    }


def _clients(users, *, api: bool) -> dict[str, Client]:
    out = {}
    for role, user in users.items():
        if user is None:
            out[role] = Client(raise_request_exception=False)
        elif api:
            _t, raw = ApiToken.issue(user=user, name="matrix-client")
            out[role] = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {raw}")
        else:
            c = Client(raise_request_exception=False)
            c.force_login(user)
            out[role] = c
    return out


PK_BY_PREFIX = {"emergency/<int:pk>/": "incident_id", "emergency/teams/<int:pk>/": "team_id"}


def _fill(template: str, ids: dict) -> str:
    for prefix, key in PK_BY_PREFIX.items():
        if template.startswith(prefix):
            ids = {**ids, "pk": ids[key]}
    return re.sub(
        r"\{(\w+)\}|<(?:\w+:)?(\w+)>",
        lambda m: str(ids.get(m.group(1) or m.group(2), MISSING)),
        template,
    )


def _ask(client: Client, method: str, url: str) -> str:
    with transaction.atomic():
        if method == "GET":
            r = client.get(url)
        else:
            r = client.generic(method, url, "{}", content_type="application/json")
        transaction.set_rollback(True)
    return code(r.status_code)


def _operations(client: Client) -> list[tuple[str, str]]:
    doc = client.get("/api/v1/openapi.json").json()
    return sorted(
        (m.upper(), p)
        for p, item in doc["paths"].items()
        for m in item
        if m in ("get", "post", "put", "patch", "delete")
    )


SKIP_PAGES = re.compile(r"^(admin|api|static|media|i18n)/|^accounts/logout/")


def _pages() -> list[str]:
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return sorted({r for r in walk(get_resolver().url_patterns) if not SKIP_PAGES.match(r)})


def _compare(kind: str, table: dict[str, str], observed: dict[str, str]) -> list[str]:
    problems = []
    for key, got in observed.items():
        want = table.get(key)
        if want is None:
            problems.append(f'{kind}: "{key}" is not in the matrix; add it: "{key}": "{got}",')
        elif "e" in got:
            roles = [ROLES[i] for i, c in enumerate(got) if c == "e"]
            problems.append(f"{kind}: {key} answers 5xx to {roles}")
        elif want != got:
            moved = [
                f"{ROLES[i]} {w}->{g}"
                for i, (w, g) in enumerate(zip(want, got, strict=True))
                if w != g
            ]
            problems.append(f"{kind}: {key} changed: {', '.join(moved)}")
    problems += [
        f"{kind}: {k} is in the matrix but no longer exists" for k in table if k not in observed
    ]
    return problems


def _dump(name: str, observed: dict[str, str]) -> None:
    path = os.environ.get("XINFENG_MATRIX_DUMP")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{name} = {{\n")
            for k, v in observed.items():
                f.write(f'    "{k}": "{v}",\n')
            f.write("}\n")


@pytest.mark.django_db
def test_every_api_operation_answers_as_the_matrix_says(world):
    users, ids = world
    clients = _clients(users, api=True)
    observed = {}
    for method, template in _operations(clients["anon"]):
        url = _fill(template, ids)
        observed[f"{method} {template}"] = "".join(_ask(clients[r], method, url) for r in ROLES)
    _dump("API", observed)
    problems = _compare("API", API, observed)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_every_page_answers_as_the_matrix_says(world):
    users, ids = world
    clients = _clients(users, api=False)
    observed = {}
    for route in _pages():
        url = "/" + _fill(route, ids)
        observed[route] = "".join(_ask(clients[r], "GET", url) for r in ROLES)
    _dump("PAGES", observed)
    problems = _compare("PAGES", PAGES, observed)
    assert not problems, "\n".join(problems)


def test_the_table_is_well_formed():
    for table in (API, PAGES):
        for key, row in table.items():
            assert len(row) == len(ROLES) and set(row) <= set("2r1345vct"), key
    assert json.dumps(ROLES)  # the column order is part of the table
