"""The technology catalogue of REFERENCE.md with expected benefits per event kind. Used by the data
migration and by test fixtures (transactional tests flush migrated rows)."""

# code, Swedish name, English name, consent required
TECHNOLOGIES = [
    ("safety_alarm", "Trygghetslarm", "Safety alarm", False),
    ("passive_alarm", "Passivt larm / sensor", "Passive alarm / sensor", False),
    ("gps_alarm", "GPS-larm", "GPS alarm", True),
    ("medication_dispenser", "Läkemedelsautomat", "Medication dispenser", False),
    ("digital_supervision", "Digital tillsyn (kamera)", "Camera supervision", True),
    ("digital_lock", "Digitalt lås", "Digital lock", False),
    ("video_platform", "Kommunikationsplattform / digitalt besök", "Video platform / digital visit", False),
    ("tablet", "Surfplatta / lånedator", "Tablet on loan", False),
]

# technology code -> {event kind: (staff minutes saved, travel km avoided)}
BENEFITS = {
    "safety_alarm": {"alarm": (0, 0)},
    "passive_alarm": {"passive_alarm": (0, 0), "passive_alarm_false": (0, 0)},
    "gps_alarm": {"gps_alarm": (0, 0), "gps_geofence_exit": (0, 0), "gps_located": (20, 10)},
    # A dispenser replaces a medication visit for each dose taken.
    "medication_dispenser": {"dose_taken": (15, 8), "dose_missed": (0, 0)},
    # A night camera check replaces a night visit: 25 minutes and 12 km of driving.
    "digital_supervision": {
        "camera_check_ok": (25, 12),
        "camera_check_retried_ok": (20, 12),
        "camera_check_not_seen": (0, 0),
        "camera_check_visit": (0, 0),
    },
    # Staff no longer fetch and return keys.
    "digital_lock": {"lock_opened": (3, 0), "lock_fault": (0, 0)},
    "video_platform": {"digital_visit": (30, 15), "social_call": (0, 0), "connection_failed": (0, 0)},
    "tablet": {"tablet_lent": (0, 0), "tablet_returned": (0, 0), "tablet_support": (0, 0)},
}


def install(technology_model, benefit_model) -> None:
    """Create the catalogue rows that are missing; existing rows are left as the administrator set them."""
    for code, name_sv, name_en, consent in TECHNOLOGIES:
        technology, _ = technology_model.objects.get_or_create(
            code=code,
            defaults={
                "name_sv": name_sv,
                "name_en": name_en,
                "consent_required": consent,
                "owner": "Vård och omsorg",
            },
        )
        for kind, (minutes, km) in BENEFITS[code].items():
            benefit_model.objects.get_or_create(
                technology=technology,
                kind=kind,
                defaults={"staff_minutes_saved": minutes, "travel_km_avoided": km},
            )
