"""Two years of referrals for the first demo partnership, written in bulk.

The story referrals of ``referrals.demo`` show each state once; this history
gives the worklists, the dashboard's trends and the evaluation panels a real
program to show: about 300 referrals sent over the last 24 months from three
clinics, worked by six navigators, through every status and outcome, with their
timelines, contacts, pathways, steps and linked resources. A seeded generator
and dates counted back from today make it the same on every machine on the
same day. Rows go in with ``bulk_create`` carrying what the services would have
written (the services would take minutes for this many); the evaluation
rollups' triggers follow every row. History patients carry record numbers
starting ``CH-3``: once they exist, nothing is written again.
"""

import datetime
import random
import uuid

from django.db import connection
from django.utils import timezone

from partners.models import Partnership, Site, User
from referrals.choices import ContactMode, MedicalReason, SocialNeed, StatusReason
from referrals.models import (
    Encounter,
    Pathway,
    PathwayResource,
    PathwayStep,
    Patient,
    Referral,
    ReferralEvent,
    ResourceService,
    TextConsent,
)
from referrals.pathways import default_pathway_for, default_steps_for

PARTNERSHIP = "Cascade Health + Familias Unidas"
HISTORY_MRN = "CH-3"
REFERRALS = 300
DAYS = 730
SEED = 2026
S = Referral.Status
Kind = ReferralEvent.Kind
P = Pathway.Status
DAY = datetime.timedelta(days=1)

FIRST = [
    "Adriana", "Alejandro", "Beatriz", "Camila", "Daniel", "Elena", "Fernando",
    "Gabriela", "Héctor", "Isabel", "Javier", "Lucía", "Manuel", "Marisol",
    "Nicolás", "Olga", "Pedro", "Raquel", "Sergio", "Teresa", "Víctor", "Yolanda",
    "Thanh", "Hoa", "Minh Anh", "Fadumo", "Abdi", "Susan", "Robert", "Linda",
    "James", "Patricia",
]  # fmt: skip
LAST = [
    "García", "Martínez", "López", "González", "Pérez", "Sánchez", "Rivera",
    "Flores", "Gómez", "Díaz", "Cruz", "Morales", "Ortiz", "Reyes", "Vargas",
    "Nguyen", "Tran", "Le", "Hassan", "Warsame", "Johnson", "Smith", "Brown",
]  # fmt: skip
LANGUAGES = [("es", 55), ("en", 30), ("vi", 10), ("so", 5)]
NEEDS = [
    (SocialNeed.FOOD_INSECURITY, 25), (SocialNeed.TRANSPORTATION, 16),
    (SocialNeed.HOUSING_INSTABILITY, 14), (SocialNeed.HEALTH_INSURANCE, 10),
    (SocialNeed.UTILITY_INSECURITY, 9), (SocialNeed.EMPLOYMENT_STATUS, 8),
    (SocialNeed.FINANCIAL_INSECURITY, 8), (SocialNeed.SOCIAL_CONNECTION, 5),
    (SocialNeed.STRESS, 5),
]  # fmt: skip
REASONS = [value for value, _label in MedicalReason.choices]
DECLINES = [StatusReason.NO_CAPACITY, StatusReason.OUT_OF_SCOPE,
            StatusReason.NOT_ELIGIBLE, StatusReason.DUPLICATE]  # fmt: skip
UNABLE = [StatusReason.UNREACHABLE, StatusReason.PATIENT_DECLINED, StatusReason.MOVED]


def _pick(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


class History:
    """The rows of the history, built in memory, then written in bulk."""

    def __init__(self, partnership, now):
        self.rng = random.Random(SEED)
        self.now = now
        self.partnership = partnership
        self.clinic_user = User.objects.get(email="clinic@example.org")
        self.supervisor = User.objects.get(email="supervisor@example.org")
        self.navigators = list(
            User.objects.filter(
                organization=partnership.cbo, role=User.Role.NAVIGATOR, is_active=True
            ).order_by("pk")
        )
        self.clinics = list(
            Site.objects.filter(organization=partnership.health_system).order_by("pk")
        )
        self.services = {}
        for service in ResourceService.objects.filter(
            organization__directory_owner=partnership.cbo
        ).order_by("pk"):
            for need in service.needs:
                self.services.setdefault(need, service)
        self.patients, self.referrals = [], []
        self.events, self.contacts, self.pathways = [], [], []

    def code(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def patient(self, number: int, moment) -> Patient:
        rng = self.rng
        language = _pick(rng, LANGUAGES)
        patient = Patient(
            code=self.code(),
            health_system=self.partnership.health_system,
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            date_of_birth=datetime.date(
                rng.randint(1945, 2000), rng.randint(1, 12), rng.randint(1, 28)
            ),
            mrn=f"{HISTORY_MRN}{number:05d}",
            sex=rng.choice(["female", "male"]),
            preferred_language=language,
            interpreter_needed=language != "en" and rng.random() < 0.6,
            phone=f"503-555-{3000 + number:04d}",
            voicemail_ok=rng.random() < 0.6,
            texts_ok=rng.random() < 0.7,
            city="Portland",
            state="OR",
            created_by=self.clinic_user,
        )
        patient.created = patient.updated = moment - datetime.timedelta(minutes=20)
        self.patients.append(patient)
        return patient

    def build(self) -> None:
        rng = self.rng
        # More referrals as the program grows: sent days back, oldest first.
        ages = sorted(
            (int(DAYS * (1 - rng.random() ** 0.8)) + 1 for _ in range(REFERRALS)),
            reverse=True,
        )
        for number, age in enumerate(ages):
            sent = self.now - age * DAY + datetime.timedelta(hours=rng.uniform(-6, 6))
            patient = self.patient(number, sent)
            Life(self, patient, min(sent, self.now - datetime.timedelta(hours=2)))

    def write(self) -> None:
        Patient.objects.bulk_create(self.patients)
        # The ticked "text messages OK" box was the patient's consent at intake.
        self.consents = TextConsent.objects.bulk_create(
            TextConsent(
                patient=patient,
                phone=patient.phone,
                given=True,
                method=TextConsent.Method.VERBAL,
                recorded_by=self.clinic_user,
            )
            for patient in self.patients
            if patient.texts_ok
        )
        Referral.objects.bulk_create(self.referrals)
        Encounter.objects.bulk_create([contact for contact, _event in self.contacts])
        pathways = [pathway for pathway, _steps, _link in self.pathways]
        Pathway.objects.bulk_create(pathways)
        PathwayStep.objects.bulk_create(
            [step for _pathway, steps, _link in self.pathways for step in steps]
        )
        PathwayResource.objects.bulk_create(
            [link for _pathway, _steps, link in self.pathways if link]
        )
        for contact, event in self.contacts:
            event.encounter = contact
            self.events.append(event)
        ReferralEvent.objects.bulk_create(self.events)
        # What ``auto_now_add`` set to now goes back to when it happened.
        _restamp(self.referrals, ["created", "updated", "status_changed_at"])
        _restamp(self.patients, ["created", "updated"])
        for consent in self.consents:
            consent.created = consent.patient.created
        _restamp(self.consents, ["created"])
        _restamp(self.events, ["created"])
        _restamp([contact for contact, _event in self.contacts], ["created"])
        _restamp(pathways, ["opened_at"])
        _restamp(
            [link for _pathway, _steps, link in self.pathways if link], ["linked_at"]
        )


def _restamp(rows: list, fields: list[str]) -> None:
    """Set the moments of saved rows in one statement (``bulk_update`` writes a
    CASE per row and takes seconds here)."""
    if not rows:
        return
    table = rows[0]._meta.db_table
    assignments = ", ".join(f"{name} = v.{name}" for name in fields)
    arrays = ", ".join(f"unnest(%s::timestamptz[]) AS {name}" for name in fields)
    # Table and column names come from the models, every value is a parameter.
    sql = f"UPDATE {table} t SET {assignments} FROM (SELECT"  # noqa: S608
    sql += f" unnest(%s::bigint[]) AS id, {arrays}) v WHERE t.id = v.id"
    values = [
        [row.pk for row in rows],
        *([getattr(r, f) for r in rows] for f in fields),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


class Life:
    """One referral played from sending to its outcome, cut at "now"."""

    def __init__(self, history: History, patient: Patient, sent):
        self.h = history
        rng = history.rng
        needs = list(
            dict.fromkeys(
                _pick(rng, NEEDS) for _ in range(rng.choice([1, 1, 1, 2, 2, 3]))
            )
        )
        self.referral = Referral(
            code=history.code(),
            patient=patient,
            partnership=history.partnership,
            clinic=rng.choices(history.clinics, [5, 3, 2][: len(history.clinics)])[0],
            referred_by=history.clinic_user,
            status=S.SUBMITTED,
            social_needs=needs,
            medical_reasons=list(dict.fromkeys(rng.choices(REASONS, k=2)))[:2],
            urgency="urgent" if rng.random() < 0.1 else "routine",
            consent_given=True,
            consent_recorded_by=history.clinic_user,
            consent_recorded_at=sent,
            submitted_at=sent,
            created=sent - datetime.timedelta(minutes=5),
            version=1,
        )
        self.moment = sent
        self.event(sent, Kind.STATUS, history.clinic_user, S.DRAFT, S.SUBMITTED)
        self.live()
        r = self.referral
        r.updated = r.status_changed_at = self.moment
        history.referrals.append(r)

    def happened(self, moment) -> bool:
        return moment <= self.h.now

    def event(self, moment, kind, actor, frm="", to="", **fields):
        event = ReferralEvent(
            referral=self.referral, kind=kind, actor=actor, from_status=frm,
            to_status=to, created=moment, **fields,
        )  # fmt: skip
        self.h.events.append(event)
        return event

    def move(self, moment, actor, to, code="", reason="") -> bool:
        """A status change at ``moment``, if it has happened by now."""
        if not self.happened(moment):
            return False
        r = self.referral
        self.event(
            moment, Kind.STATUS, actor, r.status, to, reason_code=code, reason=reason
        )
        r.status, r.status_reason_code, r.status_reason = to, code, reason
        r.version += 1
        self.moment = moment
        return True

    def live(self) -> None:
        h, rng, r = self.h, self.h.rng, self.referral
        supervisor = h.supervisor
        roll = rng.random()
        answered = self.moment + datetime.timedelta(hours=rng.uniform(2, 40))
        if roll < 0.07:
            self.move(answered, supervisor, S.DECLINED, rng.choice(DECLINES),
                      "No podemos atender esta necesidad ahora.")  # fmt: skip
            r.closed_at = answered if r.status == S.DECLINED else None
            return
        if roll < 0.10:
            if self.move(
                answered, h.clinic_user, S.CANCELLED, StatusReason.NO_LONGER_NEEDED
            ):
                r.closed_at = answered
            return
        if not self.move(answered, supervisor, S.ACCEPTED):
            return
        r.accepted_at = answered
        assigned = answered + datetime.timedelta(hours=rng.uniform(1, 30))
        navigator = self._navigator()
        if not self.happened(assigned):
            return
        self.move(assigned, supervisor, S.ASSIGNED)
        self.event(assigned, Kind.ASSIGNMENT, supervisor, navigator=navigator)
        r.navigator, r.assigned_at = navigator, assigned
        self._work(assigned)

    def _navigator(self):
        """A navigator who speaks the patient's language, when there is one."""
        rng, language = self.h.rng, self.referral.patient.preferred_language
        speakers = [n for n in self.h.navigators if language in (n.languages or [])]
        return rng.choice(speakers or self.h.navigators)

    def _contact(self, moment, reached, minutes, note="") -> bool:
        if not self.happened(moment):
            return False
        r = self.referral
        contact = Encounter(
            code=self.h.code(), referral=r, navigator=r.navigator, occurred_at=moment,
            mode=self.h.rng.choice([ContactMode.PHONE] * 4 + [ContactMode.TEXT,
                                   ContactMode.HOME_VISIT, ContactMode.CLINIC_VISIT]),
            reached=reached, minutes=minutes, note=note, created=moment,
        )  # fmt: skip
        event = ReferralEvent(
            referral=r, kind=Kind.CONTACT, actor=r.navigator, created=moment
        )
        self.h.contacts.append((contact, event))
        r.last_contact_at = moment
        if reached and r.first_contact_at is None:
            r.first_contact_at = moment
            self.move(moment, r.navigator, S.IN_PROGRESS)
        return True

    def _work(self, assigned) -> None:
        rng, r = self.h.rng, self.referral
        # A few first attempts come late: the inbox's overdue work.
        moment = assigned + datetime.timedelta(
            hours=rng.uniform(3, 60) if rng.random() < 0.85 else rng.uniform(80, 200)
        )
        for attempt in range(rng.choice([1, 1, 2, 3])):
            reached = attempt > 0 or rng.random() < 0.6
            if not self._contact(moment, reached, rng.choice([5, 10, 15, 30, 45])):
                return
            if reached:
                break
            moment += datetime.timedelta(hours=rng.uniform(20, 70))
        if r.first_contact_at is None:
            # Never reached: closed two weeks after the last attempt.
            self._close(moment + 14 * DAY, S.UNABLE_TO_COMPLETE,
                        StatusReason.UNREACHABLE)  # fmt: skip
            return
        ends = r.first_contact_at + datetime.timedelta(days=rng.uniform(14, 100))
        kinds = {need: default_pathway_for(need) for need in r.social_needs}
        # One pathway per kind: two needs of one kind share it.
        firsts = {kind: need for need, kind in reversed(kinds.items())}
        pathways = [self._pathway(need, r.first_contact_at) for need in firsts.values()]
        while True:
            moment += datetime.timedelta(days=rng.uniform(6, 20))
            if moment >= ends or not self._contact(moment, True, rng.choice([15, 30])):
                break
        if rng.random() < 0.05 and self.happened(moment) and moment < ends:
            self.move(moment, r.navigator, S.ON_HOLD, StatusReason.WAITLISTED,
                      "Lista de espera para ayuda con la renta.")  # fmt: skip
            return
        if not self.happened(ends):
            return
        outcome = rng.random()
        status = S.COMPLETED if outcome < 0.78 else S.UNABLE_TO_COMPLETE
        for pathway, steps, _link in pathways:
            self._close_pathway(pathway, steps, ends, status == S.COMPLETED)
        if status == S.COMPLETED:
            self._close(ends, status)
        else:
            self._close(ends, status, rng.choice(UNABLE))

    def _close(self, moment, status, code="") -> None:
        r = self.referral
        if self.move(moment, r.navigator, status, code):
            r.closed_at = moment

    def _pathway(self, need, opened):
        h, r = self.h, self.referral
        kind = default_pathway_for(need)
        navigator = r.navigator
        pathway = Pathway(
            code=h.code(), referral=r, kind=kind, need=need,
            goal=str(SocialNeed(need).label), status=P.OPEN, opened_by=navigator,
            opened_at=opened, partnership=h.partnership,
        )  # fmt: skip
        steps = [
            PathwayStep(pathway=pathway, position=i, title=title)
            for i, title in enumerate(default_steps_for(kind), start=1)
        ]
        link = None
        if need in h.services:
            link = PathwayResource(
                pathway=pathway, service=h.services[need], linked_by=navigator,
                linked_at=opened + datetime.timedelta(hours=1),
            )  # fmt: skip
        self.event(opened, Kind.PATHWAY, navigator, pathway=pathway,
                   reason_code=Pathway.Event.OPENED)  # fmt: skip
        h.pathways.append((pathway, steps, link))
        return pathway, steps, link

    def _close_pathway(self, pathway, steps, moment, completed) -> None:
        navigator = self.referral.navigator
        done = len(steps) if completed else len(steps) // 2
        for i, step in enumerate(steps[:done], start=1):
            step.done_at = pathway.opened_at + (moment - pathway.opened_at) * i / (
                done + 1
            )
            step.done_by = navigator
        pathway.closed_by, pathway.closed_at = navigator, moment
        if completed:
            self.event(moment, Kind.PATHWAY, navigator, pathway=pathway,
                       reason_code=Pathway.Event.COMPLETED)  # fmt: skip
            pathway.status = P.APPROVED
            pathway.approved_by = self.h.supervisor
            pathway.approved_at = moment + datetime.timedelta(hours=4)
            pathway.outcome_note = "Necesidad resuelta."
            self.event(pathway.approved_at, Kind.PATHWAY, self.h.supervisor,
                       pathway=pathway, reason_code=Pathway.Event.APPROVED)  # fmt: skip
        else:
            pathway.status = P.INCOMPLETE
            pathway.outcome_note = "No se pudo completar."
            self.event(moment, Kind.PATHWAY, navigator, pathway=pathway,
                       reason_code=Pathway.Event.INCOMPLETE)  # fmt: skip


def demo_partnership() -> Partnership:
    return Partnership.objects.get(name=PARTNERSHIP)


def history_exists(partnership: Partnership) -> bool:
    return Patient.objects.filter(
        health_system=partnership.health_system, mrn__startswith=HISTORY_MRN
    ).exists()


def seed_referral_history(partnership: Partnership) -> None:
    """Write the history (see ``history_exists`` for running it once)."""
    history = History(partnership, timezone.now().replace(microsecond=0))
    history.build()
    history.write()
