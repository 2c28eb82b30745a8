"""Pages of 党员先锋岗与值班, one module per area: posts, phases, sign-ups, allocations, rosters
(solve with live progress, edit, publish, print, export), swaps, 我的值班 and the calendar feed."""

from rosters.views.allocations import allocation_page, allocation_remove
from rosters.views.home import rosters_home
from rosters.views.mine import calendar_feed, feed_regenerate, my_shifts, swap_request
from rosters.views.phases import phase_detail, phase_edit
from rosters.views.posts import post_edit, post_list
from rosters.views.rosters import (
    roster_create,
    roster_detail,
    roster_edit,
    roster_export,
    roster_import,
    roster_print,
    roster_problem,
    roster_publish,
    roster_settings_view,
    roster_solve,
    roster_status,
    roster_stop,
)
from rosters.views.signups import signup_export, signup_form, signup_list, signup_recommend
from rosters.views.swaps import swap_decide, swap_list

__all__ = [
    "allocation_page",
    "allocation_remove",
    "calendar_feed",
    "feed_regenerate",
    "my_shifts",
    "phase_detail",
    "phase_edit",
    "post_edit",
    "post_list",
    "roster_create",
    "roster_detail",
    "roster_edit",
    "roster_export",
    "roster_import",
    "roster_print",
    "roster_problem",
    "roster_publish",
    "roster_settings_view",
    "roster_solve",
    "roster_status",
    "roster_stop",
    "rosters_home",
    "signup_export",
    "signup_form",
    "signup_list",
    "signup_recommend",
    "swap_decide",
    "swap_list",
    "swap_request",
]
