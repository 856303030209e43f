### herald web interface — English (en)
### The source every other language is translated from: a message added here must be added
### to every file under src/web/locales/ (the catalog's tests fail until it is).

language-name = English

## Dates and times (figures are filled in by herald in the language's digits)

date = { $day } { $month } { $year }
datetime-utc = { $day } { $month } { $year }, { $time } UTC
datetime-local = { $weekday } { $day } { $month } { $year }, { $time } (UTC{ $offset })
month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec
weekday-1 = Mon
weekday-2 = Tue
weekday-3 = Wed
weekday-4 = Thu
weekday-5 = Fri
weekday-6 = Sat
weekday-7 = Sun

## Layout and navigation

layout-skip = Skip to content
layout-main-nav = Main
layout-signed-in-as = Signed in as { $user } ({ $roles })
layout-sign-out = Sign out
nav-campaigns = Campaigns
nav-dead-letters = Dead letters
nav-unknown-outcomes = Unknown outcomes
nav-subscribers = Subscribers
nav-users = Users
nav-notifications = Notifications
nav-settings = My settings
render-failed = The page could not be rendered; see the server log.

## Version states (as the API names them)

state-draft = draft
state-submitted = submitted
state-approved = approved
state-rejected = rejected
state-scheduled = scheduled
state-running = running
state-paused = paused
state-completed = completed
state-cancelled = cancelled

## Login

title-sign-in = Sign in
login-intro = Sign in with your herald API token (id.secret, from “herald user add”). The token is exchanged for a session and is not kept in your browser.
login-token = API token
login-submit = Sign in
login-unknown-token = That token is unknown, malformed, revoked or expired.
login-too-many = Too many failed sign-ins from this address: wait a minute and try again.

## Errors

error-heading-forbidden = Not allowed
error-heading-not-found = Not found
error-heading-conflict = Not possible now
error-heading-too-many = Too many attempts
error-heading-server = Something went wrong
error-heading-other = Cannot do that
error-status = HTTP { $status }
error-back = Back to the campaigns
error-server-said = The server said:
error-sign-in-first = Sign in first.
error-needs-roles = This page needs one of the roles: { $allowed }. You have: { $roles }.
error-form-too-large = The form is too large.
error-csrf = This form is out of date or did not come from herald (missing or wrong CSRF token). Reload the page and try again.
error-session-ended = Your session has ended; sign in again.
error-foreign-form = This form did not come from herald.
error-no-campaign = There is no such campaign.
error-unloadable = This version cannot be loaded with the server's configuration; see the server log.
error-kill-unconfirmed = Nothing was stopped: tick “I understand this stops every pending send of this campaign” to use the kill switch.
error-unknown-language = The interface has no such language.
api-error-own-version = You authored this version, so another approver must approve or reject it (four eyes).
api-error-illegal-transition = This version cannot move to that state from the state it is in now.
api-error-own-access = You cannot revoke your own access.
api-error-user-exists = A user with this name exists already.
api-error-storage-full = The server's storage is full; nothing was changed. Tell the operators.

## Campaigns

title-campaigns = Campaigns
campaigns-caption = Every campaign, its versions (newest first) and its next send
campaigns-col-campaign = Campaign
campaigns-col-versions = Versions
campaigns-col-next-send = Next send
campaigns-col-pages = Pages
campaigns-none-planned = none planned
campaigns-empty = No campaign has been uploaded yet.
tab-review = Review
tab-schedule = Schedule
tab-dispatch = Dispatch
tab-report = Report
tabs-label = Campaign pages

## One campaign

title-campaign = Campaign { $campaign }
campaign-versions = Versions
campaign-version = Version
campaign-uploaded = Uploaded { $created }; last change { $updated }.
campaign-written-by = Written by:
campaign-author-unknown = unknown
campaign-show-texts = Show this version's texts
campaign-submit = Submit for approval
campaign-note = Note (optional)
campaign-approve = Approve
campaign-reject = Reject
campaign-why-not-role = Approving or rejecting needs the approver role.
campaign-why-not-author = You authored this version, so another approver must approve or reject it (four eyes).
campaign-translations-of = Translations of version
campaign-drafts = Draft translations (need review):
campaign-missing = { $missing ->
    [one] One text is missing: this version cannot be sent.
   *[other] { $missing } texts are missing: this version cannot be sent.
}
campaign-complete = Every text reaches every audience locale.
campaign-matrix-caption = Completeness: where each text comes from, per audience locale
campaign-matrix-text = Text
cell-translated = translated
cell-falls-back = falls back to { $from }
cell-missing = missing
campaign-previews = What each audience receives
campaign-variant = variant { $variant }
campaign-fallback-note = Shown in { $source } (fallback for { $locale }).
campaign-length = { $length ->
    [one] { $length } character
   *[other] { $length } characters
}
campaign-length-of = { $length } of { $limit } characters
campaign-too-long = too long
campaign-no-previews = No text to preview.

## Schedule

title-schedule = Schedule: { $campaign }
schedule-caption = Approved and later versions, and what can be done with each
schedule-col-version = Version
schedule-col-state = State
schedule-col-actions = Actions
schedule-shown-below = (shown below)
schedule-schedule = Schedule
schedule-pause = Pause
schedule-resume = Resume
schedule-cancel = Cancel version
schedule-none-approved = No version is approved yet: nothing to schedule.
schedule-upcoming = Upcoming sends
schedule-upcoming-of = Upcoming sends of version
schedule-from = From { $now }. Times are shown in UTC and in the audience's own local time.
schedule-upcoming-caption = { $total ->
    [one] One upcoming send
   *[other] { $total } upcoming sends
}
schedule-upcoming-more = (the first 50 are listed; { $more } more)
schedule-col-utc = UTC
schedule-col-local = Audience local time
schedule-col-zone = Time zone
schedule-col-segment = Segment
schedule-col-send = Send
schedule-col-channels = Channels
schedule-no-upcoming = No upcoming sends.

## Dispatch

title-dispatch = Dispatch: { $campaign }
dispatch-killed = Kill switch on: every pending send of this campaign is stopped.
dispatch-outbox = Outbox
dispatch-outbox-of = Outbox of version
dispatch-as-of = As of { $now }.
dispatch-caption = Jobs per channel and status
dispatch-col-channel = Channel
dispatch-col-queued = queued
dispatch-col-sending = sending
dispatch-col-sent = sent
dispatch-col-dead = failed (dead)
dispatch-col-unknown = unknown
dispatch-col-cancelled = cancelled
dispatch-col-other = other
dispatch-waiting = not ready: waiting for { $accounts } (its jobs stay queued)
dispatch-no-jobs = No jobs yet.
dispatch-pause-rule = A paused version sends nothing more once the batch already on its way is out (at most 20 seconds of paced sends). Anything that falls due during the pause is skipped, not sent late when you resume: its messages show as cancelled, and the schedule goes on at the next send time.
dispatch-kill-heading = Kill switch
dispatch-kill-intro = Stops every pending send and retry of this campaign, now and later. Use it when something is wrong and cannot wait.
dispatch-kill-confirm = I understand this stops every pending send of this campaign
dispatch-kill = Stop all sends
dispatch-schedulers-only = Only schedulers pause, resume or stop sends.

## Report

title-report = Reach report: { $campaign }
report-period = Period
report-breakdown = Breakdown
report-from = From
report-until = Until
report-compare = Compare with
report-compare-placeholder = campaign ids, separated by commas
report-show = Show
report-choices-note = Only the periods and breakdowns the deployment's publication policy publishes can be chosen; dates pick whole weeks or days (with period week or day).
report-downloads = Downloads:
report-settled-weeks = Showing the weeks that have settled: the whole run is published once the campaign has ended and its last day has settled, from { $from }.
report-in-english = The report itself is written in English, as herald report writes it.

## Dead letters and unknown outcomes

title-dead-letters = Dead letters
dead-intro = Jobs that failed for good: the partner refused them, or every attempt was used. Read the partner's words first: a retry of a message the partner refuses for good (a wrong chat, a blocked template) fails again.
dead-retry-note = A retry puts the job back in the queue, due now, with a fresh attempt count. It keeps its idempotency key, so a partner that deduplicates drops a repeat, and its mark “may have arrived twice” if it has one.
dead-caption = Dead letters, jobs { $first } to { $last } (oldest job first)
jobs-col-job = Job
jobs-col-campaign = Campaign
jobs-col-target = Send, segment, locale
jobs-col-channel = Channel
jobs-col-slot = Slot
dead-col-attempts = Attempts
dead-col-partner = Partner said
dead-col-failed = Failed
dead-col-action = Action
dead-may-repeat = may have arrived twice: { $why }
dead-retry = Retry
jobs-next = Next { $limit }
dead-none = No dead letters.
dead-none-after = No dead letters after job { $after }.
dead-schedulers-only = Only schedulers retry dead letters.
title-unknown-outcomes = Unknown outcomes
unknown-intro = Sends whose answer never came (a timeout, a dropped connection, a worker stopped mid-send) on a partner that cannot recognise a repeat. herald never sends these again by itself: the person may already have the message. Check each one with the partner (its post, or its delivery log), then say what you found.
unknown-counting-rule = “Delivered” counts the message as sent, and “not delivered” as failed, on the day you resolve it, never on the day the answer was lost: a report publishes a day only once it has settled, so no figure already published moves. Each job is resolved once; the first resolution stands.
unknown-caption = Unknown outcomes, jobs { $first } to { $last } (oldest job first)
unknown-col-what = What happened
unknown-col-since = Since
unknown-col-resolve = Resolve
unknown-partner-says = The partner says the message was
unknown-delivered = delivered
unknown-not-delivered = not delivered
unknown-resend = Not delivered: send it again
unknown-confirm-resend = I have checked with the partner: the person does not have it, and may get it twice if the partner was wrong
unknown-resolve = Resolve
unknown-none = No unknown outcomes.
unknown-none-after = No unknown outcomes after job { $after }.
unknown-schedulers-only = Only schedulers resolve unknown outcomes.
title-resolved = Unknown outcome resolved
resolved-as = Job { $id } of { $campaign } is resolved as “{ $resolution }” by { $by } at { $at }.
resolution-delivered = delivered
resolution-not-delivered = not delivered
resolution-not-delivered-resent = not delivered, sent again
resolved-resent = It is back in the queue and goes out again shortly; its own outcome will be counted when it is sent.
resolved-counted-sent = It is counted as sent on { $day }.
resolved-counted-failed = It is counted as failed on { $day }.
resolved-back = Back to the unknown outcomes

## Subscribers

title-subscribers = Subscribers
subscribers-intro = How many people follow each messaging channel, by segment and locale. Counts below k are suppressed, and where needed a second count too, so that no hidden count can be worked out from the totals: the same tables as “herald subscribers stats”.
subscribers-k = Suppress counts below
subscribers-show = Show
subscribers-none = No subscribers.

## Users

title-users = Users
users-intro = Who may use herald, with which roles. A token's secret is shown once, when the user is added, and never again: herald keeps only its hash. Revoking a user ends their access at once, on the API and in the browser.
users-caption = Users
users-col-name = Name
users-col-roles = Roles
users-col-added = Added
users-col-tokens = Active tokens
users-col-sessions = Web sessions
users-col-access = Access
users-expires = expires { $at }
users-active-you = active (you)
users-revoke = Revoke
users-revoked = revoked
users-add-heading = Add a user
users-name = Name
users-roles = Roles
users-add = Add user
title-user-added = User added
user-added = { $name } was added with the roles { $roles }.
user-added-token = Their API token is below. Copy it now and give it to them by a safe channel: it is shown this once, and herald keeps only its hash.
user-added-back = Back to the users

## Notifications

title-notifications = Notifications
notifications-intro = What herald tells you about, and how. Notifications carry only campaign, version, account, counts and times: never anything about the people a campaign reaches. Events are gathered into one message per digest interval; a kill switch or a partner outage goes at once.
notifications-about = Tell me about
notifications-nothing-for-roles = Your roles hear of nothing: approvers hear of submissions, schedulers of delivery.
notifications-by = By
notifications-email = e-mail
notifications-webhook = the staff chat
notifications-none = nothing
notifications-address = E-mail address
notifications-save = Save
kind-version-submitted = a version submitted for approval
kind-dead-letters = dead letters
kind-unknown-outcomes = unknown outcomes
kind-template-blocked = a message template blocked by a partner
kind-partner-outage = a partner outage
kind-kill-switch = the kill switch used

## My settings

title-settings = My settings
settings-intro = The language herald's pages are shown in. “As my browser asks” follows the languages your browser sends, and English when herald has none of them.
settings-language = Language
settings-language-browser = As my browser asks
settings-save = Save
settings-saved = Your settings are saved.
settings-draft-note = Translations other than English are machine drafts that still need a review by a native speaker.

## Translation status in the completeness matrix
string-status-missing = missing
string-status-draft = draft
string-status-translated = translated
string-status-reviewed = reviewed
string-export-missing = export the missing strings
string-status-source = source
campaign-translate-with-tools = Translate with your tools:
