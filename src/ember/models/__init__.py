"""SQLAlchemy tables, one module each. Importing this package registers them all."""

from ember.models.account import Account
from ember.models.alert import Alert
from ember.models.api_token import ApiToken
from ember.models.audit_entry import AuditEntry
from ember.models.base import Base
from ember.models.call import Call
from ember.models.compose_template import ComposeTemplate
from ember.models.contact import Contact
from ember.models.deal import Deal
from ember.models.deal_stakeholder import DealStakeholder
from ember.models.event_source import EventSource
from ember.models.inbound_event import InboundEvent
from ember.models.login_throttle import LoginThrottle
from ember.models.mailbox import InboundMail, Mailbox, MailboxFolder
from ember.models.message_variant import MessageVariant
from ember.models.next_step import NextStep
from ember.models.nurture_membership import NurtureMembership
from ember.models.outbound_message import OutboundMessage
from ember.models.planned_touch import PlannedTouch
from ember.models.proof_point import ProofPoint
from ember.models.tally import (
    ActivityTally,
    CallDayTally,
    CallHourTally,
    DealCycleTally,
    DealEndTally,
    DealTouchTally,
    FtcDayTally,
    FtcTally,
    TallyCursor,
)
from ember.models.team import Team
from ember.models.team_setting import ReplanRun, TeamSetting
from ember.models.touch import Touch
from ember.models.touch_outcome import TouchOutcome
from ember.models.trigger_rule import TriggerRule
from ember.models.user import User
from ember.models.web_session import WebSession
from ember.models.write_key import WriteKey

__all__ = [
    "Account", "ActivityTally", "Alert", "ApiToken", "AuditEntry", "Base", "Call", "CallDayTally", "CallHourTally",
    "ComposeTemplate", "Contact", "Deal", "DealCycleTally", "DealEndTally", "DealStakeholder", "DealTouchTally",
    "EventSource", "FtcDayTally", "FtcTally", "InboundEvent", "InboundMail", "LoginThrottle", "Mailbox",
    "MailboxFolder", "MessageVariant", "NextStep", "NurtureMembership", "OutboundMessage", "PlannedTouch",
    "ProofPoint", "ReplanRun", "TallyCursor", "Team", "TeamSetting", "Touch", "TouchOutcome", "TriggerRule", "User",
    "WebSession", "WriteKey",
]
