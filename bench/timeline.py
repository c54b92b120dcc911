"""Referrals simulated through the workflow, one at a time, cut at "now".

Each referral lives through the steps the services would have recorded: submitted by
clinic staff, accepted (or declined) and assigned by a supervisor, contact attempts
by the navigator (the first one reached starts the work), pathways opened, worked,
closed and approved, holds and resumes, reassignments, messages and shares, then a
closing outcome. Anything later than "now" has not happened yet, so recent
referrals are open and old ones closed, and a few are stuck (overdue).

What the services write is written here too, with the same values: the timeline
(``ReferralEvent``), contacts, pathways and their steps and resources, the
notifications each transition sends, and the referral's denormalised moments
(``submitted_at`` … ``closed_at``, ``last_contact_at``, ``status_changed_at``,
``version``, ``updated``) as ``apply_transition`` and ``encounter_log`` leave them.
"""

import random

from django.utils import translation

from bench.copying import NULL, Table, array, boolean, text, ts
from bench.world import FIRST_NAMES, LAST_NAMES
from referrals.choices import ContactMode, MedicalReason, SocialNeed, StatusReason
from referrals.models import (
    Encounter,
    Notification,
    NotificationPreference,
    Pathway,
    PathwayResource,
    PathwayStep,
    Patient,
    Referral,
    ReferralEvent,
)
from referrals.pathways import default_pathway_for, default_steps_keyed

DAY = 86400.0
HOUR = 3600.0
S = Referral.Status
Kind = ReferralEvent.Kind
NKind = Notification.Kind
Mode = NotificationPreference.EmailMode

NEEDS = [
    (SocialNeed.FOOD_INSECURITY, 22), (SocialNeed.HOUSING_INSTABILITY, 12),
    (SocialNeed.TRANSPORTATION, 14), (SocialNeed.HEALTH_INSURANCE, 8),
    (SocialNeed.UTILITY_INSECURITY, 7), (SocialNeed.EMPLOYMENT_STATUS, 6),
    (SocialNeed.FINANCIAL_INSECURITY, 6), (SocialNeed.SOCIAL_CONNECTION, 5),
    (SocialNeed.STRESS, 5), (SocialNeed.HOMELESSNESS, 3),
    (SocialNeed.INADEQUATE_HOUSING, 3), (SocialNeed.HEALTH_LITERACY, 3),
    (SocialNeed.EDUCATIONAL_ATTAINMENT, 2), (SocialNeed.LANGUAGE_ACCESS, 2),
    (SocialNeed.MEDICAL_COST_BURDEN, 2),
]  # fmt: skip
PATIENT_LANGUAGES = [
    ("en", 55), ("es", 30), ("vi", 4), ("zh", 3), ("ru", 2), ("so", 2), ("ar", 1.5),
    ("uk", 1), ("other", 1.5),
]  # fmt: skip
REASONS = [value for value, _label in MedicalReason.choices]
MODES = [ContactMode.PHONE] * 6 + [
    ContactMode.TEXT,
    ContactMode.HOME_VISIT,
    ContactMode.CLINIC_VISIT,
    ContactMode.VIDEO,
]
DECLINE_REASONS = [
    StatusReason.OUT_OF_SCOPE,
    StatusReason.NO_CAPACITY,
    StatusReason.DUPLICATE,
    StatusReason.NOT_ELIGIBLE,
]
HOLD_REASONS = [
    StatusReason.WAITLISTED,
    StatusReason.UNREACHABLE_FOR_NOW,
    StatusReason.PATIENT_REQUEST,
]
UNABLE_REASONS = [StatusReason.PATIENT_DECLINED, StatusReason.MOVED, StatusReason.OTHER]
CANCEL_REASONS = [StatusReason.NO_LONGER_NEEDED, StatusReason.DUPLICATE]
NOTES = [
    "", "", "", "Left a voicemail.", "Talked about the next appointment.",
    "Helped fill in the application.", "Patient asked to call back next week.",
    "Dejé mensaje de voz.", "Confirmed the ride for Tuesday.",
]  # fmt: skip
MESSAGES = [
    "Patient asked us to call after 3 pm.",
    "Any update on the food pantry referral?",
    "We reached the patient; first visit set for next week.",
    "The patient changed phone numbers, see the chart.",
]
CITIES = ["Salem", "Eugene", "Bend", "Medford", "Portland", "Corvallis", "Albany"]
TEXT_KINDS = {NKind.NEW_REFERRAL, NKind.PATHWAY_TO_APPROVE}

REFERRAL_COLUMNS = [
    "id", "code", "created", "updated", "patient_id", "partnership_id", "clinic_id",
    "referred_by_id", "navigator_id", "status", "medical_reasons",
    "medical_reason_other", "social_needs", "urgency", "notes_for_navigator",
    "consent_given", "consent_recorded_by_id", "consent_recorded_at",
    "status_reason_code", "status_reason", "version", "submitted_at", "accepted_at",
    "assigned_at", "first_contact_at", "last_contact_at", "closed_at",
    "status_changed_at", "external_system", "external_id", "consent_source",
    "consent_scope", "task_closed_as",
]  # fmt: skip
PATIENT_COLUMNS = [
    "id", "code", "created", "updated", "health_system_id", "first_name",
    "last_name", "date_of_birth", "mrn", "sex", "gender_identity",
    "preferred_language", "interpreter_needed", "phone", "phone_alt", "voicemail_ok",
    "texts_ok", "best_time_to_call", "address", "city", "state", "postal_code",
    "do_not_contact", "safe_contact_note", "created_by_id", "phone_to_fix",
]  # fmt: skip
EVENT_COLUMNS = [
    "id", "referral_id", "kind", "actor_id", "from_status", "to_status",
    "navigator_id", "reason_code", "reason", "encounter_id", "pathway_id", "created",
]  # fmt: skip
ENCOUNTER_COLUMNS = [
    "id", "code", "referral_id", "navigator_id", "occurred_at", "mode", "reached",
    "minutes", "note", "created",
]  # fmt: skip
PATHWAY_COLUMNS = [
    "id", "code", "referral_id", "kind", "need", "goal", "status", "opened_by_id",
    "opened_at", "closed_by_id", "closed_at", "outcome_note", "approved_by_id",
    "approved_at", "partnership_id",
]  # fmt: skip
STEP_COLUMNS = [
    "id", "pathway_id", "position", "title", "key", "done_at", "done_by_id",
]  # fmt: skip
RESOURCE_COLUMNS = [
    "id",
    "pathway_id",
    "service_id",
    "note",
    "linked_by_id",
    "linked_at",
]
NOTIFICATION_COLUMNS = [
    "id", "code", "recipient_id", "kind", "referral_id", "link", "context",
    "created", "read_at", "email",
]  # fmt: skip
SHARE_COLUMNS = ["id", "referral_id", "user_id"]


def tables() -> dict[str, Table]:
    """The COPY tables the simulation fills, in an order that keeps foreign keys
    pointing backwards."""
    return {
        "patient": Table(Patient, PATIENT_COLUMNS),
        "referral": Table(Referral, REFERRAL_COLUMNS),
        "encounter": Table(Encounter, ENCOUNTER_COLUMNS),
        "pathway": Table(Pathway, PATHWAY_COLUMNS),
        "step": Table(PathwayStep, STEP_COLUMNS),
        "resource": Table(PathwayResource, RESOURCE_COLUMNS),
        "event": Table(ReferralEvent, EVENT_COLUMNS),
        "share": Table(Referral.shared_with.through, SHARE_COLUMNS),
        "notification": Table(Notification, NOTIFICATION_COLUMNS),
    }


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(weights)


class Ids:
    def __init__(self):
        self.last = {}

    def next(self, name: str) -> int:
        value = self.last.get(name, 0) + 1
        self.last[name] = value
        return value


class Simulation:
    """Writes referrals of one partnership after another into the COPY tables."""

    def __init__(self, *, rng: random.Random, now: float, email_modes: dict):
        self.rng = rng
        self.now = now
        self.email_modes = email_modes
        self.tables = tables()
        self.ids = Ids()
        self.need_values, self.need_weights = _weighted(NEEDS)
        self.language_values, self.language_weights = _weighted(PATIENT_LANGUAGES)
        self.steps = {}
        self.mrn = {}
        self.pools = {}

    # Identifiers and small helpers -------------------------------------------------

    def code(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.rng.random()

    def _steps_of(self, kind: str) -> list[tuple[str, str]]:
        """The kind's default steps as (key, title), as a pathway opens them."""
        if kind not in self.steps:
            with translation.override("en"):
                self.steps[kind] = [
                    (key, text(str(step))) for key, step in default_steps_keyed(kind)
                ]
        return self.steps[kind]

    def notify(self, kind, recipients, moment, referral_id, link) -> None:
        if moment > self.now:
            return
        rng, now = self.rng, self.now
        for recipient in recipients:
            age = now - moment
            read = rng.random() < (0.9 if age > 2 * DAY else 0.4)
            read_at = min(now, moment + self.uniform(60, 2 * DAY)) if read else None
            mode = self.email_modes.get(recipient, Mode.IMMEDIATE)
            if mode == Mode.NONE:
                email = "none"
            elif mode == Mode.DIGEST:
                email = "in_digest" if age > DAY else "digest"
            else:
                email = "queued"
            self.tables["notification"].add(
                f"{self.ids.next('notification')}\t{self.code()}\t{recipient}\t{kind}\t"
                f"{referral_id}\t{link}\t{{}}\t{ts(moment)}\t{ts(read_at)}\t{email}\n"
            )

    # Patients ---------------------------------------------------------------------

    def patient_for(self, plan, moment: float, staff: int, new_share: float):
        """An existing patient of the health system referred again, or a new one
        registered by the staff member just before this referral."""
        pool = self.pools.setdefault(plan.health_system_id, [])
        rng = self.rng
        if pool and rng.random() >= new_share:
            return pool[int(len(pool) * rng.random() ** 0.6)]
        pid = self.ids.next("patient")
        number = self.mrn.get(plan.health_system_id, 0) + 1
        self.mrn[plan.health_system_id] = number
        language = rng.choices(self.language_values, self.language_weights)[0]
        born = (
            f"{rng.randint(1938, 2006)}-{rng.randint(1, 12):02d}-"
            f"{rng.randint(1, 28):02d}"
        )
        created = ts(moment - self.uniform(120, 1800))
        sex = rng.choice(["female", "female", "male", "male", "unknown", "other"])
        interpreter = language != "en" and rng.random() < 0.7
        unsafe = rng.random() < 0.01
        self.tables["patient"].add(
            f"{pid}\t{self.code()}\t{created}\t{created}\t{plan.health_system_id}\t"
            f"{rng.choice(FIRST_NAMES)}\t{rng.choice(LAST_NAMES)}\t{born}\t"
            f"BH{plan.health_system_id:02d}-{number:07d}\t{sex}\t\t{language}\t"
            f"{boolean(interpreter)}\t+1503555{rng.randint(0, 9999):04d}\t\t"
            f"{boolean(rng.random() < 0.6)}\t{boolean(rng.random() < 0.7)}\t\t"
            f"{rng.randint(10, 9999)} Elm St\t{rng.choice(CITIES)}\tOR\t97301\t"
            f"{boolean(unsafe)}\t{'Call the clinic first' if unsafe else ''}\t{staff}"
            "\t\n"
        )
        patient = (pid, language)
        pool.append(patient)
        return patient

    # One referral -------------------------------------------------------------------

    def referral(self, plan, created: float, new_share: float) -> None:
        Life(self, plan, created, new_share).live()


class Life:
    """The state of one referral while its timeline is played up to "now"."""

    def __init__(self, sim: Simulation, plan, created: float, new_share: float):
        self.sim = sim
        self.plan = plan
        rng = sim.rng
        self.id = sim.ids.next("referral")
        self.code = sim.code()
        self.link = f"/referrals/{self.code}/"
        clinic = rng.choices(plan.clinics, plan.clinic_weights)[0]
        self.clinic_id = clinic.id
        self.staff = rng.choices(clinic.staff, clinic.weights)[0]
        self.patient_id, self.language = sim.patient_for(
            plan, created, self.staff, new_share
        )
        count = rng.choices([1, 2, 3], [60, 30, 10])[0]
        self.needs = list(
            dict.fromkeys(rng.choices(sim.need_values, sim.need_weights, k=count))
        )
        self.reasons = list(
            dict.fromkeys(rng.choices(REASONS, k=rng.choice([1, 1, 2])))
        )
        self.urgency = "urgent" if rng.random() < 0.12 else "routine"
        self.created = created
        self.status = S.DRAFT
        self.version = 0
        self.updated = created
        self.status_changed_at = created
        self.reason_code = ""
        self.reason = ""
        self.navigator = None
        self.submitted_at = self.accepted_at = self.assigned_at = None
        self.first_contact_at = self.last_contact_at = self.closed_at = None
        self.consent = True

    # Recording ----------------------------------------------------------------------

    def event(self, moment, kind, actor, frm="", to="", navigator=None, code="",
              reason="", encounter=None, pathway=None) -> None:  # fmt: skip
        sim = self.sim
        sim.tables["event"].add(
            f"{sim.ids.next('event')}\t{self.id}\t{kind}\t{actor}\t{frm}\t{to}\t"
            f"{navigator or NULL}\t{code}\t{reason}\t{encounter or NULL}\t"
            f"{pathway or NULL}\t{ts(moment)}\n"
        )

    def transition(self, moment, actor, target, code="", reason="") -> bool:
        """``apply_transition``: False (nothing recorded) when it would be later
        than now."""
        if moment > self.sim.now:
            return False
        self.event(moment, Kind.STATUS, actor, self.status, target, code=code,
                   reason=reason)  # fmt: skip
        self.version += 1
        self.updated = self.status_changed_at = moment
        self.reason_code, self.reason = code, reason
        if target == S.SUBMITTED:
            self.submitted_at = moment
        if target == S.ACCEPTED and self.accepted_at is None:
            self.accepted_at = moment
        if target in (S.COMPLETED, S.UNABLE_TO_COMPLETE, S.DECLINED, S.CANCELLED,
                      S.ENTERED_IN_ERROR):  # fmt: skip
            self.closed_at = moment
        self.status = target
        if target in (S.COMPLETED, S.UNABLE_TO_COMPLETE, S.DECLINED):
            self.sim.notify(NKind.REFERRAL_CLOSED, [self.staff], moment, self.id,
                            self.link)  # fmt: skip
        return True

    def assign(self, moment, actor, navigator, reason="") -> bool:
        """``referral_assign`` (from submitted or accepted) or ``referral_reassign``
        (status kept, a reason given)."""
        if moment > self.sim.now:
            return False
        reassign = self.status in (S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD)
        target = self.status if reassign else S.ASSIGNED
        self.event(moment, Kind.ASSIGNMENT, actor, self.status, target,
                   navigator=navigator, reason=reason)  # fmt: skip
        self.version += 1
        self.updated = moment
        self.navigator = navigator
        self.assigned_at = moment
        if not reassign:
            self.status_changed_at = moment
            self.reason_code = self.reason = ""
            if self.accepted_at is None:
                self.accepted_at = moment
            self.status = S.ASSIGNED
        self.sim.notify(NKind.ASSIGNED_TO_YOU, [navigator], moment, self.id, self.link)
        return True

    def contact(self, moment, reached: bool) -> bool:
        """``encounter_log``: the contact, its event, the latest and first contact
        moments, and the start of the work at the first one reached."""
        sim = self.sim
        if moment > sim.now:
            return False
        rng = sim.rng
        encounter = sim.ids.next("encounter")
        sim.tables["encounter"].add(
            f"{encounter}\t{sim.code()}\t{self.id}\t{self.navigator}\t{ts(moment)}\t"
            f"{rng.choice(MODES)}\t{boolean(reached)}\t{rng.randint(5, 60)}\t"
            f"{rng.choice(NOTES)}\t{ts(moment + 300)}\n"
        )
        self.event(moment + 300, Kind.CONTACT, self.navigator, encounter=encounter)
        if self.last_contact_at is None or moment > self.last_contact_at:
            self.last_contact_at = moment
        if reached and self.first_contact_at is None:
            self.first_contact_at = moment
        if reached and self.status == S.ASSIGNED:
            self.transition(moment + 300, self.navigator, S.IN_PROGRESS)
        return True

    # The life of the referral -------------------------------------------------------

    def live(self) -> None:
        self._lifecycle()
        if self.status != S.DRAFT and self.sim.rng.random() < 0.1:
            self._messages()
        self.write()

    def _delay(self, low, high, late_share, late_low, late_high) -> float:
        rng = self.sim.rng
        if rng.random() < late_share:
            return self.sim.uniform(late_low, late_high) * DAY
        return self.sim.uniform(low, high) * DAY

    def _lifecycle(self) -> None:
        sim, rng, plan = self.sim, self.sim.rng, self.plan
        if rng.random() < 0.015:
            self.consent = rng.random() < 0.5
            return
        submitted = self.created + sim.uniform(60, 1800)
        if not self.transition(submitted, self.staff, S.SUBMITTED):
            return
        sim.notify(NKind.NEW_REFERRAL, plan.supervisors, submitted, self.id, self.link)
        fate = rng.random()
        if fate < 0.007:
            self.transition(submitted + sim.uniform(0.05, 3) * DAY, self.staff,
                            S.ENTERED_IN_ERROR, StatusReason.WRONG_PATIENT)  # fmt: skip
            return
        supervisor = rng.choice(plan.supervisors)
        decided = submitted + self._delay(0.02, 1.2, 0.06, 1.5, 5)
        if fate < 0.057:
            self.transition(decided, supervisor, S.DECLINED,
                            rng.choice(DECLINE_REASONS))  # fmt: skip
            return
        if fate < 0.061:
            return  # never looked at: overdue in the inbox
        navigator = self._navigator()
        if rng.random() < 0.1:
            if not self.assign(decided, supervisor, navigator):
                return
        else:
            if not self.transition(decided, supervisor, S.ACCEPTED):
                return
            if fate < 0.065:
                return  # accepted, never assigned
            if fate < 0.08:
                self.transition(decided + sim.uniform(0.1, 4) * DAY, self.staff,
                                S.CANCELLED, rng.choice(CANCEL_REASONS))  # fmt: skip
                return
            decided += self._delay(0.02, 1, 0.05, 1.5, 4)
            if not self.assign(decided, supervisor, navigator):
                return
        if 0.08 <= fate < 0.095:
            self.transition(decided + sim.uniform(0.1, 5) * DAY, self.staff,
                            S.CANCELLED, rng.choice(CANCEL_REASONS))  # fmt: skip
            return
        if rng.random() < 0.02:
            self._share(decided + sim.uniform(0.1, 3) * DAY, supervisor)
        self._work(decided, supervisor)

    def _navigator(self, other_than=None) -> int:
        rng, plan = self.sim.rng, self.plan
        speakers = [
            n.id
            for n in plan.navigators
            if self.language in n.languages and n.id != other_than
        ]
        if speakers and rng.random() < 0.75:
            return rng.choice(speakers)
        choices = [n.id for n in plan.navigators if n.id != other_than]
        return rng.choice(choices)

    def _share(self, moment, supervisor) -> None:
        sim = self.sim
        if moment > sim.now or len(self.plan.navigators) < 2:
            return
        other = self._navigator(other_than=self.navigator)
        sim.tables["share"].add(f"{sim.ids.next('share')}\t{self.id}\t{other}\n")
        self.event(moment, Kind.SHARE, supervisor, navigator=other)

    def _messages(self) -> None:
        sim, rng = self.sim, self.sim.rng
        start = self.submitted_at or self.created
        end = min(sim.now, self.closed_at or sim.now)
        for _ in range(rng.choice([1, 1, 2])):
            moment = sim.uniform(start, end)
            actor = (
                self.staff if rng.random() < 0.5 else rng.choice(self.plan.supervisors)
            )
            self.event(moment, Kind.MESSAGE, actor, reason=rng.choice(MESSAGES))

    def _work(self, assigned: float, supervisor: int) -> None:
        """Contact attempts until the patient is reached, then pathways, contacts,
        maybe a hold or a reassignment, and the closing outcome."""
        sim, rng = self.sim, self.sim.rng
        if rng.random() < 0.03 and len(self.plan.navigators) > 1:
            # The supervisor rebalances caseloads before the first contact.
            assigned += sim.uniform(0.02, 0.5) * DAY
            navigator = self._navigator(other_than=self.navigator)
            if not self.assign(assigned, supervisor, navigator, "Caseload balancing"):
                return
        if rng.random() < 0.005:
            return  # never contacted: first contact overdue
        moment = assigned + self._delay(0.1, 3, 0.08, 3, 9)
        for _attempt in range(5):
            reached = rng.random() < 0.6
            if not self.contact(moment, reached):
                return
            if reached:
                break
            moment += sim.uniform(1, 4) * DAY
        else:
            if rng.random() < 0.85:
                self.transition(moment + sim.uniform(1, 3) * DAY, self.navigator,
                                S.UNABLE_TO_COMPLETE,
                                StatusReason.UNREACHABLE)  # fmt: skip
            return
        started = moment
        resolved, work_end = self._pathways(started, supervisor)
        steps = []
        if rng.random() < 0.1:
            hold = started + sim.uniform(5, 20) * DAY
            length = sim.uniform(7, 30) * DAY
            if hold < work_end:
                steps += [(hold, "hold"), (hold + length, "resume")]
                work_end += length
        closing = work_end + sim.uniform(0, 5) * DAY
        steps.append((closing, "close"))
        steps.sort()
        quiet = rng.random() < 0.08
        contacts = moment + sim.uniform(3, 10) * DAY
        held = None
        for when, action in steps:
            contacts = self._contacts_until(contacts, when, quiet, held)
            if action == "hold":
                if not self.transition(when, self.navigator, S.ON_HOLD,
                                       rng.choice(HOLD_REASONS)):  # fmt: skip
                    return
                held = when
            elif action == "resume":
                if not self.transition(when, self.navigator, S.IN_PROGRESS):
                    return
                held = None
                contacts = when + sim.uniform(1, 5) * DAY
            elif resolved:
                self.transition(when, self.navigator, S.COMPLETED)
            else:
                self.transition(when, self.navigator, S.UNABLE_TO_COMPLETE,
                                rng.choice(UNABLE_REASONS))  # fmt: skip

    def _contacts_until(self, moment, until, quiet, held) -> float:
        sim, rng = self.sim, self.sim.rng
        while moment < until and held is None:
            if not self.contact(moment, rng.random() < 0.8):
                return moment
            moment += (sim.uniform(15, 35) if quiet else sim.uniform(5, 16)) * DAY
        return moment

    def _pathways(self, started: float, supervisor: int) -> tuple[bool, float]:
        """One pathway per distinct kind of need, each worked for a week to ten
        weeks; returns whether any was completed and when the last closed."""
        sim, rng, plan = self.sim, self.sim.rng, self.plan
        kinds = {}
        for need in self.needs:
            kinds.setdefault(default_pathway_for(need), need)
        resolved, last = False, started + 7 * DAY
        for kind, need in kinds.items():
            opened = started + sim.uniform(0.01, 2) * DAY
            if opened > sim.now:
                continue
            pid = sim.ids.next("pathway")
            code = sim.code()
            navigator = self.navigator
            self.event(opened, Kind.PATHWAY, navigator, code=Pathway.Event.OPENED,
                       pathway=pid)  # fmt: skip
            closes = opened + sim.uniform(7, 56) * DAY
            completed = rng.random() < 0.75
            status, closed_by, closed_at, note = "open", NULL, NULL, ""
            approved_by, approved_at = NULL, NULL
            if closes <= sim.now:
                closed_by, closed_at = navigator, ts(closes)
                last = max(last, closes)
                if completed:
                    status, resolved = "completed", True
                    self.event(closes, Kind.PATHWAY, navigator,
                               code=Pathway.Event.COMPLETED, pathway=pid)  # fmt: skip
                    sim.notify(NKind.PATHWAY_TO_APPROVE, plan.supervisors, closes,
                               self.id, f"/referrals/pathways/{code}/")  # fmt: skip
                    approves = closes + sim.uniform(0.5, 5) * DAY
                    if rng.random() < 0.92 and approves <= sim.now:
                        status = "approved"
                        approved_by, approved_at = supervisor, ts(approves)
                        self.event(approves, Kind.PATHWAY, supervisor,
                                   code=Pathway.Event.APPROVED,
                                   pathway=pid)  # fmt: skip
                else:
                    status, note = "incomplete", "Patient no longer wanted help"
                    self.event(closes, Kind.PATHWAY, navigator,
                               code=Pathway.Event.INCOMPLETE, reason=note,
                               pathway=pid)  # fmt: skip
            else:
                last = max(last, closes)
            goal = f"Resolve {need.replace('-', ' ')}"
            sim.tables["pathway"].add(
                f"{pid}\t{code}\t{self.id}\t{kind}\t{need}\t{goal}\t{status}\t"
                f"{navigator}\t{ts(opened)}\t{closed_by}\t{closed_at}\t{note}\t"
                f"{approved_by}\t{approved_at}\t{self.plan.id}\n"
            )
            self._steps(pid, kind, opened, closes, status, navigator)
            services = plan.services_by_need.get(need)
            if services and rng.random() < 0.7:
                linked = opened + sim.uniform(0.5, 7) * DAY
                if linked <= min(sim.now, closes):
                    sim.tables["resource"].add(
                        f"{sim.ids.next('resource')}\t{pid}\t{rng.choice(services)}\t"
                        f"\t{navigator}\t{ts(linked)}\n"
                    )
        return resolved, last

    def _steps(self, pid, kind, opened, closes, status, navigator) -> None:
        sim = self.sim
        titles = sim._steps_of(kind)
        done_share = {"completed": 1, "approved": 1, "incomplete": 0.4}.get(status, 1)
        span = closes - opened
        for position, (key, title) in enumerate(titles, start=1):
            moment = opened + span * position / (len(titles) + 0.5)
            done = position <= len(titles) * done_share and moment <= sim.now
            sim.tables["step"].add(
                f"{sim.ids.next('step')}\t{pid}\t{position}\t{title}\t{key}\t"
                f"{ts(moment) if done else NULL}\t{navigator if done else NULL}\n"
            )

    def write(self) -> None:
        sim = self.sim
        needs = array(self.needs)
        reasons = array(self.reasons)
        consent_at = ts(self.created) if self.consent else NULL
        consent_by = self.staff if self.consent else NULL
        sim.tables["referral"].add(
            f"{self.id}\t{self.code}\t{ts(self.created)}\t{ts(self.updated)}\t"
            f"{self.patient_id}\t{self.plan.id}\t{self.clinic_id}\t{self.staff}\t"
            f"{self.navigator or NULL}\t{self.status}\t{reasons}\t\t{needs}\t"
            f"{self.urgency}\t\t{boolean(self.consent)}\t{consent_by}\t{consent_at}\t"
            f"{self.reason_code}\t{self.reason}\t{self.version}\t"
            f"{ts(self.submitted_at)}\t{ts(self.accepted_at)}\t{ts(self.assigned_at)}\t"
            f"{ts(self.first_contact_at)}\t{ts(self.last_contact_at)}\t"
            # Made in the browser: no EHR's Task identifier.
            f"{ts(self.closed_at)}\t{ts(self.status_changed_at)}\t\t\t"
            # Told the person at the desk; never reopened.
            f"{'verbal' if self.consent else ''}\tcbo\t\n"
        )
