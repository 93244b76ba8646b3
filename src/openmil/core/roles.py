"""Roles a membership can hold and what each may do.

This is the single table of permissions: views, the API and selectors ask
`role_can(role, permission)` and nothing else.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    FACILITATOR = "facilitator", _("Facilitator")
    PARTNER_STAFF = "partner_staff", _("Partner staff")
    MENTOR = "mentor", _("Mentor")
    ANALYST = "analyst", _("Analyst")
    NETWORK_ADMIN = "network_admin", _("Network administrator")
    # Independent of the coordinators who decide the processing (GDPR art. 38).
    DPO = "dpo", _("Data-protection officer")


class Perm:
    """Named permissions; each role holds a fixed set of them."""

    VIEW_PERSONAL = "view_personal"
    EDIT_PERSONAL = "edit_personal"
    VIEW_SENSITIVE_ALL = "view_sensitive_all"
    VIEW_RESTRICTED = "view_restricted"
    VIEW_AUDIT = "view_audit"
    VIEW_AGGREGATES = "view_aggregates"
    MANAGE_LAB = "manage_lab"
    #: The privacy dashboard: consents, erasures, retention, exports, anomalies.
    VIEW_PRIVACY = "view_privacy"
    #: Approve or reject an erasure request (the second person of the rule).
    APPROVE_ERASURE = "approve_erasure"
    #: Set the lab's retention rules and run them.
    MANAGE_RETENTION = "manage_retention"
    # Partners and referrals (openmil.partners).
    VIEW_DIRECTORY = "view_directory"
    MANAGE_DIRECTORY = "manage_directory"
    REFER = "refer"
    OVERRIDE_CONSENT = "override_consent"
    HANDLE_REFERRALS = "handle_referrals"
    VIEW_ECOSYSTEM = "view_ecosystem"
    INVITE_PARTICIPANT = "invite_participant"
    EXPORT_RECORD = "export_record"
    #: Mark a participant as a protected case and name the staff allowed on it.
    MANAGE_PROTECTION = "manage_protection"
    # Bulk import/export and merging of records: a lab-wide act on many
    # people's data, so the coordinator's (see docs/imports.md, docs/dedup.md).
    IMPORT_DATA = "import_data"
    EXPORT_DATA = "export_data"
    MERGE_PARTICIPANTS = "merge_participants"
    MANAGE_ACTIVITIES = "manage_activities"
    # Training of facilitators: staff data, not participants' records.
    MANAGE_TRAINING = "manage_training"
    VIEW_OWN_TRAINING = "view_own_training"
    # The network (openmil.network): write good practices, ask and answer
    # questions about them, record adoptions; enter MIPEX scores.
    EXCHANGE_PRACTICE = "exchange_practice"
    MANAGE_NETWORK = "manage_network"
    # Events, volunteers and mentoring (openmil.events).
    MANAGE_EVENTS = "manage_events"
    VET_VOLUNTEERS = "vet_volunteers"
    MANAGE_MENTORING = "manage_mentoring"
    # Awareness campaigns, fact cards and reach figures (openmil.campaigns):
    # lab data, no person's record.
    VIEW_CAMPAIGNS = "view_campaigns"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    # Matching rounds (openmil.placements): run a round, review its proposals.
    RUN_MATCHING = "run_matching"
    # Indicators: national or regional reference values a lab compares to.
    MANAGE_REFERENCES = "manage_references"
    # Public site (openmil.public): the moderation queue of citizen projects
    # and reports, blocking citizen accounts; the recommendations tracker.
    MODERATE_PUBLIC = "moderate_public"
    MANAGE_RECOMMENDATIONS = "manage_recommendations"


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COORDINATOR: frozenset(
        {
            Perm.VIEW_PERSONAL,
            Perm.EDIT_PERSONAL,
            Perm.VIEW_SENSITIVE_ALL,
            Perm.VIEW_RESTRICTED,
            Perm.VIEW_AUDIT,
            Perm.VIEW_AGGREGATES,
            Perm.MANAGE_LAB,
            Perm.VIEW_PRIVACY,
            Perm.APPROVE_ERASURE,
            Perm.MANAGE_RETENTION,
            Perm.VIEW_DIRECTORY,
            Perm.MANAGE_DIRECTORY,
            Perm.REFER,
            Perm.OVERRIDE_CONSENT,
            Perm.VIEW_ECOSYSTEM,
            Perm.INVITE_PARTICIPANT,
            Perm.EXPORT_RECORD,
            Perm.MANAGE_PROTECTION,
            Perm.IMPORT_DATA,
            Perm.EXPORT_DATA,
            Perm.MERGE_PARTICIPANTS,
            Perm.MANAGE_ACTIVITIES,
            Perm.MANAGE_TRAINING,
            Perm.VIEW_OWN_TRAINING,
            Perm.EXCHANGE_PRACTICE,
            Perm.MANAGE_EVENTS,
            Perm.VET_VOLUNTEERS,
            Perm.MANAGE_MENTORING,
            Perm.VIEW_CAMPAIGNS,
            Perm.MANAGE_CAMPAIGNS,
            # Matching rounds.
            Perm.RUN_MATCHING,
            Perm.MANAGE_REFERENCES,
        }
        | {Perm.MODERATE_PUBLIC, Perm.MANAGE_RECOMMENDATIONS}
    ),
    # A facilitator sees sensitive fields only of the participants whose
    # caseworker they are (need to know); see participants.selectors.
    Role.FACILITATOR: frozenset(
        {
            Perm.VIEW_PERSONAL,
            Perm.EDIT_PERSONAL,
            Perm.VIEW_AGGREGATES,
            Perm.VIEW_DIRECTORY,
            Perm.REFER,
            Perm.INVITE_PARTICIPANT,
            Perm.VIEW_OWN_TRAINING,
            Perm.EXCHANGE_PRACTICE,
            Perm.MANAGE_EVENTS,
            Perm.MANAGE_MENTORING,
            Perm.VIEW_CAMPAIGNS,
            # Matching rounds.
            Perm.RUN_MATCHING,
        }
        | {Perm.MODERATE_PUBLIC}
    ),
    # Partner staff see only the referrals addressed to their organisation,
    # and only the fields the lab shares (openmil.partners.selectors).
    Role.PARTNER_STAFF: frozenset({Perm.VIEW_DIRECTORY, Perm.HANDLE_REFERRALS}),
    Role.MENTOR: frozenset(),
    Role.ANALYST: frozenset({Perm.VIEW_AGGREGATES}),
    # The data-protection officer oversees: no personal records, no approvals.
    Role.DPO: frozenset({Perm.VIEW_PRIVACY, Perm.VIEW_AUDIT, Perm.VIEW_AGGREGATES}),
    Role.NETWORK_ADMIN: frozenset(
        {
            Perm.VIEW_AGGREGATES,
            Perm.MANAGE_LAB,
            Perm.VIEW_DIRECTORY,
            Perm.EXCHANGE_PRACTICE,
            Perm.MANAGE_NETWORK,
            Perm.MANAGE_REFERENCES,
        }
    ),
}


def role_can(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
