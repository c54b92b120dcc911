"""Demo community resource directory for a Latino-serving CBO in Portland, Oregon.

The organizations are invented (phone numbers in the 555-01xx fiction range,
example.org addresses) but shaped like the services navigators refer people to.
Loading twice changes nothing.
"""

import datetime

from django.utils import timezone

from partners.models import User
from referrals.choices import ResourceStatus, SocialNeed
from referrals.models import ResourceLocation, ResourceOrganization, ResourceService

Need = SocialNeed

ORGANIZATIONS = {
    "pantry": {
        "name": "Eastside Community Pantry",
        "description": "Volunteer-run food pantry serving outer East Portland.",
        "phone": "503-555-0142",
        "website": "https://pantry.example.org",
        "email": "hola@pantry.example.org",
    },
    "housing": {
        "name": "Puentes Housing Fund",
        "description": "Emergency rent help and eviction prevention for renters "
        "in Multnomah County.",
        "phone": "503-555-0158",
        "website": "https://puentes-housing.example.org",
        "email": "intake@puentes-housing.example.org",
    },
    "rides": {
        "name": "Metro Neighbors Ride Program",
        "description": "Volunteer drivers and transit-pass help for people who "
        "cannot get to medical visits.",
        "phone": "503-555-0171",
        "website": "https://rides.example.org",
        "email": "rides@rides.example.org",
    },
    "learning": {
        "name": "Rose City Adult Learning Center",
        "description": "English, GED and citizenship classes for adults.",
        "phone": "503-555-0186",
        "website": "https://roselearning.example.org",
        "email": "classes@roselearning.example.org",
    },
    "jobs": {
        "name": "Eastside Job Center",
        "description": "Job search help, résumés, interview practice and "
        "job-training referrals.",
        "phone": "503-555-0117",
        "website": "https://jobs.example.org",
        "email": "jobs@jobs.example.org",
    },
    "energy": {
        "name": "Columbia Community Action",
        "description": "Energy bill assistance and weatherization.",
        "phone": "503-555-0193",
        "website": "https://energyhelp.example.org",
        "email": "energy@energyhelp.example.org",
    },
}

LOCATIONS = {
    "cbo_office": {
        "organization": "cbo",
        "name": "Cully office",
        "address": "5135 NE Killingsworth St",
        "city": "Portland",
        "state": "OR",
        "postal_code": "97218",
    },
    "pantry_gateway": {
        "organization": "pantry",
        "name": "Gateway pantry",
        "address": "10550 NE Halsey St",
        "city": "Portland",
        "state": "OR",
        "postal_code": "97220",
    },
    "pantry_lents": {
        "organization": "pantry",
        "name": "Lents pantry",
        "address": "9205 SE Foster Rd",
        "city": "Portland",
        "state": "OR",
        "postal_code": "97266",
    },
    "housing_office": {
        "organization": "housing",
        "name": "Division Street office",
        "address": "4020 SE Division St, Suite 200",
        "city": "Portland",
        "state": "OR",
        "postal_code": "97202",
    },
    "learning_center": {
        "organization": "learning",
        "name": "Rockwood classrooms",
        "address": "18601 SE Stark St",
        "city": "Portland",
        "state": "OR",
        "postal_code": "97233",
    },
    "jobs_center": {
        "organization": "jobs",
        "name": "82nd Avenue center",
        "address": "2121 SE 82nd Ave",
        "city": "Portland",
        "state": "OR",
        "postal_code": "97216",
    },
}

# (organization key, service, verified this many days ago or None, locations)
SERVICES = [
    (
        "pantry",
        {
            "name": "Community food pantry",
            "description": "Despensa de alimentos: groceries for the week. "
            "Produce, dairy, rice, beans and tortillas; culturally familiar "
            "foods most weeks.",
            "needs": [Need.FOOD_INSECURITY],
            "languages": ["es", "en"],
            "eligibility": "Anyone living in Multnomah County. No ID, proof of "
            "income or immigration status asked.",
            "application_process": "Walk in during open hours and bring your own "
            "bags. The first visit takes about 10 minutes to register.",
            "fees": "Free",
            "hours": "Tue and Thu 2–6 pm; Sat 9 am–12 pm",
            "capacity_note": "Taking new clients",
        },
        12,
        ["pantry_gateway", "pantry_lents"],
    ),
    (
        "cbo",
        {
            "name": "SNAP enrollment help",
            "description": "A navigator fills in the Oregon SNAP application with "
            "you, uploads documents and follows up until benefits start.",
            "needs": [Need.FOOD_INSECURITY, Need.FINANCIAL_INSECURITY],
            "languages": ["es", "en"],
            "eligibility": "Households that may qualify for SNAP. Mixed-status "
            "families welcome: only members applying give their status.",
            "application_process": "Call or text to book an appointment. Bring ID, "
            "pay stubs from the last 30 days and your rent or utility bill.",
            "fees": "Free",
            "hours": "Mon–Fri 9 am–5 pm, by appointment",
            "capacity_note": "Appointments within 1 week",
        },
        30,
        ["cbo_office"],
    ),
    (
        "housing",
        {
            "name": "Emergency rent assistance",
            "description": "One-time help with past-due rent to stop an eviction, "
            "paid directly to the landlord.",
            "needs": [Need.HOUSING_INSTABILITY, Need.FINANCIAL_INSECURITY],
            "languages": ["en", "es"],
            "interpretation_services": True,
            "eligibility": "Renters in Multnomah County at or below 50% of the area "
            "median income with a past-due notice or an eviction notice.",
            "application_process": "Call the intake line. Have your lease, ID, the "
            "past-due or eviction notice and your landlord's contact ready.",
            "fees": "Free",
            "hours": "Intake line Mon–Thu 9 am–4 pm",
            "capacity_note": "Waitlist about 3 weeks; eviction notices seen first",
        },
        45,
        ["housing_office"],
    ),
    (
        "rides",
        {
            "name": "Medical ride program",
            "description": "Volunteer drivers take you to and from medical, dental "
            "and pharmacy visits. Help applying for a reduced-fare transit pass.",
            "needs": [Need.TRANSPORTATION],
            "languages": ["en", "es", "vi"],
            "eligibility": "Adults 60 and over, and people with a disability, in "
            "Multnomah, Washington and Clackamas counties.",
            "application_process": "Book by phone at least 2 business days before the "
            "appointment.",
            "fees": "Free",
            "hours": "Rides Mon–Sat 7 am–7 pm",
            "capacity_note": "Taking new riders; book early for Monday mornings",
        },
        200,
        [],
    ),
    (
        "cbo",
        {
            "name": "Health insurance enrollment navigators",
            "description": "Certified community partners help you apply for the "
            "Oregon Health Plan or a Marketplace plan and choose a clinic.",
            "needs": [Need.HEALTH_INSURANCE, Need.MEDICAL_COST_BURDEN],
            "languages": ["es", "en"],
            "eligibility": "Anyone living in Oregon. The Oregon Health Plan covers "
            "eligible adults whatever their immigration status.",
            "application_process": "Walk in on Wednesdays or call to book. Bring ID "
            "and proof of income if you have them.",
            "fees": "Free",
            "hours": "Mon–Fri 9 am–5 pm; Wed until 7 pm",
            "capacity_note": "Taking new clients",
        },
        20,
        ["cbo_office"],
    ),
    (
        "learning",
        {
            "name": "English classes (Clases de inglés)",
            "description": "English as a second language, beginner to advanced, "
            "with childcare during evening classes.",
            "needs": [Need.EDUCATIONAL_ATTAINMENT, Need.LANGUAGE_ACCESS],
            "languages": ["es", "en"],
            "eligibility": "Adults 18 and over.",
            "application_process": "Come to a placement session (1 hour) on any "
            "Saturday at 10 am.",
            "fees": "Free",
            "hours": "Mon and Wed 6–8 pm; Sat 10 am–12 pm",
            "capacity_note": "Between terms: classes resume in September, sign-ups "
            "open now",
            "status": ResourceStatus.TEMPORARILY_CLOSED,
        },
        60,
        ["learning_center"],
    ),
    (
        "jobs",
        {
            "name": "Job center",
            "description": "Job listings, résumé and interview help, computer lab and "
            "referrals to paid job-training programs.",
            "needs": [Need.EMPLOYMENT_STATUS],
            "languages": ["en", "es"],
            "interpretation_services": True,
            "eligibility": "Job seekers 16 and over. Some training programs need a "
            "work permit.",
            "application_process": "Walk in on Tuesdays, or call to meet a job coach.",
            "fees": "Free",
            "hours": "Mon–Fri 8:30 am–4:30 pm",
            "capacity_note": "Taking new clients",
        },
        None,
        ["jobs_center"],
    ),
    (
        "energy",
        {
            "name": "Utility bill assistance",
            "description": "Help with past-due electric and gas bills and shut-off "
            "notices, once per program year.",
            "needs": [Need.UTILITY_INSECURITY, Need.FINANCIAL_INSECURITY],
            "languages": ["en", "es"],
            "interpretation_services": True,
            "eligibility": "Households at or below 60% of state median income; "
            "shut-off notices are seen first.",
            "application_process": "Call to book a phone appointment. Have your "
            "latest bill and proof of household income ready.",
            "fees": "Free",
            "hours": "Phone appointments Mon–Thu 9 am–3 pm",
            "capacity_note": "Waitlist about 2 weeks",
        },
        90,
        [],
    ),
]


def seed_directory(cbo) -> list[ResourceService]:
    """Fill ``cbo``'s directory with the demo services and return them."""
    verifier = (
        User.objects.filter(organization=cbo, role=User.Role.SUPERVISOR)
        .order_by("pk")
        .first()
    )
    organizations = {
        "cbo": ResourceOrganization.objects.get_or_create(
            directory_owner=cbo,
            name=cbo.name,
            defaults={
                "description": "Community health workers serving Latino families.",
                "phone": cbo.phone or "503-555-0100",
                "website": "https://familias.example.org",
                "email": "navegacion@familias.example.org",
            },
        )[0]
    }
    for key, fields in ORGANIZATIONS.items():
        organizations[key], _ = ResourceOrganization.objects.get_or_create(
            directory_owner=cbo,
            name=fields["name"],
            defaults={k: v for k, v in fields.items() if k != "name"},
        )
    locations = {}
    for key, fields in LOCATIONS.items():
        fields = dict(fields)
        organization = organizations[fields.pop("organization")]
        locations[key], _ = ResourceLocation.objects.get_or_create(
            organization=organization, name=fields.pop("name"), defaults=fields
        )
    today = timezone.localdate()
    services = []
    for organization_key, fields, verified_days_ago, location_keys in SERVICES:
        fields = dict(fields)
        verified = verified_days_ago is not None
        service, _ = ResourceService.objects.get_or_create(
            organization=organizations[organization_key],
            name=fields.pop("name"),
            defaults={
                **fields,
                "last_verified_on": today - datetime.timedelta(days=verified_days_ago)
                if verified
                else None,
                "last_verified_by": verifier if verified else None,
            },
        )
        for key in location_keys:
            locations[key].services.add(service)
        services.append(service)
    return services
