"""The declared access-control table: every URL pattern of the project × every role → allowed or denied.

A role is *allowed* a URL when a GET with valid path arguments answers 2xx, or 3xx to anywhere but the login
page (a redirect to re-authentication before the MFA settings, or back to an object's page because its state
does not allow the step, counts as allowed); it is *denied* when it answers a redirect to login (anonymous),
401, 403 or 404. Views in POST_ONLY refuse GET for everyone, so for them the roles are checked with an empty
POST that is rolled back (400 for an empty form counts as allowed). The table is keyed by
URL name (``namespace:name``); patterns that share a name (DRF's ``.json`` format suffixes) share the entry.
``tests/security/test_access_matrix.py`` fails on any mismatch, on any URL pattern the table does not
mention, and on any table entry whose URL no longer exists.
"""

from accounts.roles import ADMIN, Role

ANONYMOUS = "anonymous"
ROLES: tuple[str, ...] = (ANONYMOUS, *Role.values, ADMIN)

ALLOW = "allow"
DENY = "deny"

SENIOR = Role.SENIOR.value
REP = Role.ASSOCIATION_REP.value
COORDINATOR = Role.COORDINATOR.value
HOMECARE = Role.HOMECARE_STAFF.value
WELFARETECH_ADMIN = Role.WELFARETECH_ADMIN.value
OFFICIAL = Role.OFFICIAL.value

# Sets of roles that are allowed.
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANONYMOUS}
NOBODY: frozenset[str] = frozenset()
BACKOFFICE = SIGNED_IN - {SENIOR}
REP_OR_COORDINATOR = frozenset({REP, COORDINATOR})
COORDINATOR_ONLY = frozenset({COORDINATOR})
CASEWORK = frozenset({COORDINATOR, OFFICIAL})
FOLLOWUP = frozenset({COORDINATOR, OFFICIAL, WELFARETECH_ADMIN})
OFFICIAL_ONLY = frozenset({OFFICIAL})
WELFARETECH = frozenset({WELFARETECH_ADMIN})
SHIFT = frozenset({HOMECARE, WELFARETECH_ADMIN})
REP_ONLY = frozenset({REP})
ADMIN_ONLY = frozenset({ADMIN})


def _names(namespace: str, allowed: frozenset[str], *names: str) -> dict[str, frozenset[str]]:
    prefix = f"{namespace}:" if namespace else ""
    return {prefix + name: allowed for name in names}


# URL name → the roles allowed a GET. Grouped per namespace; every name is written out so that a new URL
# pattern cannot slip in under a group without someone deciding who may open it.
TABLE: dict[str, frozenset[str]] = {
    # --- Public portal --------------------------------------------------------------------------------------
    **_names(
        "portal",
        EVERYONE,
        "home",
        "display-settings",
        "contact",
        "contact-thanks",
        "place-list",
        "place-detail",
        "privacy",
        "accessibility",
    ),
    **_names(
        "activities",
        EVERYONE,
        "search",
        "suggest",
        "suggest-thanks",
        "signup",
        "signup-done",
        "cancel-registration",
        "detail",
    ),
    **_names("activities", SIGNED_IN, "my-registrations", "cancel-my-registration"),
    **_names("associations", EVERYONE, "directory", "detail"),
    # A senior's own data: overview, JSON download, account deletion; the goodbye page needs no account.
    **_names("privacy", SIGNED_IN, "overview", "download", "delete"),
    **_names("privacy", EVERYONE, "deleted"),
    **_names(
        "feeds",
        EVERYONE,
        "activity-ics",
        "locality-ics",
        "category-ics",
        "programme",
        "programme-month",
        "programme-pdf",
    ),
    **_names("", EVERYONE, "healthz", "readyz", "set_language"),
    # --- Home-care shift (the PWA) --------------------------------------------------------------------------
    **_names("welfaretech", EVERYONE, "service-worker"),
    **_names("welfaretech", SHIFT, "shift", "shift-log", "shift-recipient", "shift-correct"),
    # --- Accounts (django-allauth) --------------------------------------------------------------------------
    **_names(
        "",
        EVERYONE,
        "account_login",
        "account_logout",
        "account_inactive",
        "account_signup",
        "account_email_verification_sent",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "account_confirm_email",
        "account_request_login_code",
        "account_confirm_login_code",
    ),
    **_names(
        "",
        SIGNED_IN,
        # A login stage: with no login in progress, anonymous visitors are sent back to the login page.
        "mfa_authenticate",
        "account_reauthenticate",
        "account_email",
        "account_change_password",
        "account_set_password",
        "mfa_index",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
    ),
    # --- Back office ----------------------------------------------------------------------------------------
    **_names("backoffice", BACKOFFICE, "home"),
    **_names("backoffice", ADMIN_ONLY, "audit-log"),
    **_names(
        "activities_backoffice",
        REP_OR_COORDINATOR,
        "list",
        "create",
        "detail",
        "edit",
        "preview",
        "submit",
        "occurrence-add",
        "occurrence",
        "occurrence-export",
        "occurrence-print",
        "occurrence-cancel",
        "occurrence-attendance",
    ),
    **_names(
        "activities_backoffice",
        COORDINATOR_ONLY,
        "publish",
        "return",
        "cancel",
        "moderation",
        "suggestion",
        "suggestion-reject",
        "places",
        "place-create",
        "place-edit",
        "place-delete",
        "categories",
        "category-create",
        "category-edit",
        "localities",
        "locality-create",
        "locality-edit",
    ),
    **_names(
        "welfaretech_backoffice",
        WELFARETECH,
        "technologies",
        "technology",
        "devices",
        "device-create",
        "devices-due",
        "device-import",
        "device",
        "recipients",
        "recipient",
        "consent-create",
        "assignment-create",
        "assignment-end",
        "faults",
        "fault-close",
        "training",
        "benefits",
    ),
    **_names("portal_backoffice", COORDINATOR_ONLY, "inbox", "message"),
    **_names(
        "register", COORDINATOR_ONLY, "list", "create", "payment-decide", "review-queue", "document-review"
    ),
    **_names("register", REP_ONLY, "mine"),
    **_names(
        "register",
        REP_OR_COORDINATOR,
        "detail",
        "edit",
        "confirm",
        "board",
        "board-member",
        "board-member-remove",
        "members",
        "payment",
        "people",
        "representative-remove",
        "invitation-cancel",
        "documents",
        "document-download",
    ),
    # The invitation link is opened by the invitee before they have an account or the role.
    **_names("register", EVERYONE, "invitation"),
    **_names(
        "grants",
        REP_ONLY,
        "index",
        "start",
        "application",
        "edit",
        "attachments",
        "message",
        "submit",
        "withdraw",
        "decision-letter",
        "report",
        "attachment",
        "attachment-remove",
    ),
    **_names("casework", CASEWORK, "queue", "application", "attachment", "decide", "letter"),
    **_names("casework", COORDINATOR_ONLY, "message", "request-completion", "assess", "payments", "close"),
    **_names(
        "coordinator",
        COORDINATOR_ONLY,
        "dashboard",
        "programmes",
        "programme-create",
        "programme",
        "programme-edit",
        "programme-publish",
        "question-create",
        "question-edit",
        "question-move",
        "question-delete",
        "bulk",
        "bulk-compose",
        "bulk-detail",
    ),
    **_names("coordinator", CASEWORK, "exports"),
    **_names("followup_data", FOLLOWUP, "index", "kolada", "export"),
    **_names(
        "followup_data",
        OFFICIAL_ONLY,
        "population",
        "population-import",
        "catalogue",
        "indicator-edit",
        "manual-values",
        "manual-value-edit",
        "manual-value-delete",
    ),
    **_names(
        "followup",
        FOLLOWUP,
        "dashboard",
        "indicator",
        "chart-css",
        "reports",
        "report-create",
        "run",
        "run-status",
        "run-retry",
        "run-download",
        "subscription",
    ),
    # --- API ------------------------------------------------------------------------------------------------
    # The API root only lists links; DRF's default permission asks for a signed-in user.
    **_names("", SIGNED_IN, "api-root"),
    **_names(
        "",
        EVERYONE,
        "api-schema",
        "api-docs",
        "locality-list",
        "locality-detail",
        "activity-list",
        "activity-detail",
        "occurrence-list",
        "occurrence-detail",
        "place-list",
        "place-detail",
        "category-list",
        "category-detail",
        "association-list",
        "association-detail",
    ),
    **_names("", FOLLOWUP, "followup-indicator-list", "followup-indicator-detail", "followup-kolada-list"),
    **_names("", SHIFT, "recipient-list", "recipient-detail", "welfaretech-event-list"),
}

# Views that refuse GET (``require_POST``) for everyone: a GET must never be allowed (405 or denied), and the
# roles in TABLE are checked with an empty POST instead, rolled back afterwards.
POST_ONLY: frozenset[str] = frozenset(
    {
        "activities:cancel-my-registration",
        "privacy:download",
        "welfaretech:shift-log",
        "activities_backoffice:submit",
        "activities_backoffice:publish",
        "activities_backoffice:occurrence-add",
        "register:confirm",
        "register:board-member-remove",
        "register:payment-decide",
        "register:representative-remove",
        "register:invitation-cancel",
        "grants:message",
        "grants:attachment-remove",
        "casework:message",
        "coordinator:programme-publish",
        "coordinator:question-move",
        "followup_data:manual-value-delete",
        "followup:run-retry",
        "followup:subscription",
    }
)


# URL patterns deliberately left out of the matrix, each with the reason. Keys are a namespace (``"admin:"``,
# every pattern in it) or a view's dotted path (for unnamed patterns).
SKIPPED: dict[str, str] = {
    "admin:": "Django's own admin site: guarded by Django (is_staff + its own login), not by our role table.",
    "django.views.static.serve": "Media files served by Django only when DEBUG is on (never in production).",
}


def expected(name: str, role: str) -> str:
    return ALLOW if role in TABLE[name] else DENY
