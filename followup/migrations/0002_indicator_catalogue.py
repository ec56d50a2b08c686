"""The indicator catalogue of REFERENCE.md, transcribed. Baselines and targets are examples officials edit.

Multi-valued indicators are split into a main code and a second code (ACT-05-WL, ASC-02-PAID, WT-04-KM,
WT-05-P90, WT-07-MTTR); see ``followup.indicators``.
"""

from decimal import Decimal

from django.db import migrations

ALL = ["locality", "area", "sex", "age_band"]
PLACE = ["locality", "area"]

# code, unit, source, direction, domain, splits, is_key, name_sv, name_en, description_sv, description_en,
# extra fields
CATALOGUE = [
    (
        "ACT-01",
        "count",
        "computed",
        "higher",
        "activities",
        PLACE,
        True,
        "Genomförda aktivitetstillfällen",
        "Activity occurrences held",
        "Antal aktivitetstillfällen som hölls under perioden (inställda räknas inte). Platsen är "
        "tillfällets mötesplats, annars aktivitetens.",
        "Number of activity occurrences held in the period (cancelled ones are not counted). The place is "
        "the occurrence's meeting place, otherwise the activity's.",
        {},
    ),
    (
        "ACT-02",
        "percent",
        "computed",
        "higher",
        "activities",
        [],
        True,
        "Andel tillfällen på landsbygden",
        "Share of occurrences held in the countryside",
        "Andel av de genomförda tillfällena med en plats som hölls utanför centralorten. Visar om "
        "utbudet når byarna.",
        "Share of the occurrences held (with a place) that took place outside the central town. Shows "
        "whether the offer reaches the villages.",
        {},
    ),
    (
        "ACT-03",
        "count",
        "computed",
        "higher",
        "activities",
        ALL,
        True,
        "Deltagartillfällen",
        "Participant sessions",
        "Summan av alla närvarande vid genomförda tillfällen, enligt arrangörens närvarorapport. En person "
        "som kommer tio gånger ger tio deltagartillfällen. Uppdelning på kön och ålder gäller deltagare "
        "65+; totalen räknar alla.",
        "The sum of everyone present at occurrences held, from the organiser's attendance report. One "
        "person coming ten times gives ten participant sessions. Splits by sex and age cover participants "
        "65+; the total counts everyone.",
        {},
    ),
    (
        "ACT-04",
        "rate",
        "computed",
        "higher",
        "activities",
        ALL,
        True,
        "Deltagartillfällen per 100 invånare 65+",
        "Participant sessions per 100 inhabitants 65+",
        "Deltagartillfällen av personer 65+ under perioden, delat med antalet invånare 65+ (senaste "
        "befolkningsåret) gånger 100.",
        "Participant sessions by people 65+ in the period divided by the number of inhabitants 65+ "
        "(latest population year) times 100.",
        {},
    ),
    (
        "ACT-05",
        "percent",
        "computed",
        "higher",
        "activities",
        PLACE,
        False,
        "Beläggning vid anmälan",
        "Sign-up fill rate",
        "Bekräftade platser delat med antalet platser, för genomförda tillfällen som kräver anmälan och "
        "har ett begränsat antal platser.",
        "Confirmed places divided by places offered, for occurrences held that need sign-up and have a "
        "limited number of places.",
        {},
    ),
    (
        "ACT-05-WL",
        "count",
        "computed",
        "lower",
        "activities",
        PLACE,
        False,
        "Personer på väntelista",
        "People on waiting lists",
        "Antal personer som stod kvar på väntelista till tillfällen under perioden.",
        "Number of people left on a waiting list for occurrences in the period.",
        {},
    ),
    (
        "ACT-06",
        "percent",
        "computed",
        "higher",
        "activities",
        ["locality", "area", "age_band"],
        True,
        "Mäns andel av deltagartillfällena",
        "Men's share of participant sessions",
        "Deltagartillfällen av män 65+ delat med deltagartillfällen av kvinnor och män 65+. Ensamstående "
        "äldre män är en svårnådd grupp.",
        "Participant sessions by men 65+ divided by sessions by women and men 65+. Single older men are a "
        "hard-to-reach group.",
        {"target_value": Decimal("40"), "target_year": 2028},
    ),
    (
        "ASC-01",
        "count",
        "computed",
        "higher",
        "associations",
        ["locality"],
        True,
        "Aktiva föreningar med godkända årshandlingar",
        "Active associations with approved annual documents",
        "Aktiva föreningar i registret som har alla årshandlingar som krävs för bidrag (årsmötesprotokoll, "
            "verksamhetsberättelse, ekonomisk berättelse, revisionsberättelse) godkända för föregående år. "
            "Uppdelning på ort "
        "gäller orterna föreningen verkar i (en förening kan räknas på flera orter).",
        "Active associations in the register with every annual document a grant requires (AGM minutes, "
            "annual report, financial statement, audit report) approved for the previous year. "
        "The split by locality uses the localities the association serves (one association can count in "
        "several).",
        {},
    ),
    (
        "ASC-02",
        "sek",
        "computed",
        "higher",
        "associations",
        ["locality", "area", "programme"],
        True,
        "Beviljade bidrag (kr)",
        "Grants decided (SEK)",
        "Beviljade belopp i beslut fattade under perioden, per bidragsform och ort.",
        "Amounts granted in decisions made in the period, by programme and locality.",
        {},
    ),
    (
        "ASC-02-PAID",
        "sek",
        "computed",
        "higher",
        "associations",
        ["locality", "area", "programme"],
        False,
        "Utbetalda bidrag (kr)",
        "Grants paid (SEK)",
        "Belopp som betalats ut under perioden, per bidragsform och ort.",
        "Amounts paid out in the period, by programme and locality.",
        {},
    ),
    (
        "ASC-03",
        "sek",
        "computed",
        "higher",
        "associations",
        ["locality", "area"],
        False,
        "Bidrag per invånare 65+ (kr)",
        "Grant SEK per inhabitant 65+",
        "Beviljade bidragsbelopp under perioden delat med antalet invånare 65+.",
        "Grant amounts decided in the period divided by the number of inhabitants 65+.",
        {},
    ),
    (
        "ASC-04",
        "percent",
        "computed",
        "higher",
        "associations",
        ["programme"],
        False,
        "Återrapporter inlämnade i tid",
        "Grant follow-up reports received on time",
        "Andel av de återrapporter som skulle lämnas under perioden som kom in senast sista dagen.",
        "Share of the follow-up reports due in the period that arrived by the due date.",
        {"target_value": Decimal("90"), "target_year": 2027},
    ),
    (
        "WT-01",
        "rate",
        "computed",
        "higher",
        "welfaretech",
        ["locality", "area", "sex", "technology"],
        True,
        "Mottagare av välfärdsteknik per 1 000 invånare 80+",
        "Care recipients with welfare technology per 1,000 inhabitants 80+",
        "Antal omsorgstagare som hade tekniken beviljad någon gång under perioden, delat med invånare 80+ "
        "gånger 1 000. Uppdelning per teknik visar varje teknik.",
        "Number of care recipients who had the technology at some point in the period, divided by "
        "inhabitants 80+ times 1,000. The technology split shows each technology.",
        {},
    ),
    (
        "WT-02",
        "count",
        "computed",
        "higher",
        "welfaretech",
        ALL,
        True,
        "Digitala nattillsyner",
        "Digital night checks performed",
        "Antal genomförda kameratillsyner (första försöket, oavsett utfall). SKR:s mål var +200 % 2019–2022.",
        "Number of camera checks performed (first attempt, whatever the outcome). The national (SKR) "
        "target was +200% 2019–2022.",
        {},
    ),
    (
        "WT-03",
        "percent",
        "computed",
        "higher",
        "welfaretech",
        ALL,
        False,
        "Andel nattillsyner klarade digitalt",
        "Share of night checks done digitally",
        "Andel av kameratillsynerna som klarades utan fysiskt besök (sedd direkt eller vid nytt försök).",
        "Share of camera checks completed without a physical visit (seen at once or on a retry).",
        {},
    ),
    (
        "WT-04",
        "hours",
        "computed",
        "higher",
        "welfaretech",
        ALL,
        True,
        "Sparad personaltid (timmar)",
        "Staff hours saved",
        "Loggade händelser gånger förväntad sparad tid per händelse enligt teknikkatalogen, i timmar.",
        "Logged events times the expected staff time saved per event from the technology catalogue, in "
        "hours.",
        {},
    ),
    (
        "WT-04-KM",
        "km",
        "computed",
        "higher",
        "welfaretech",
        ALL,
        False,
        "Undvikna resor (km)",
        "Travel avoided (km)",
        "Loggade händelser gånger förväntade undvikna kilometer per händelse enligt teknikkatalogen.",
        "Logged events times the expected kilometres avoided per event from the technology catalogue.",
        {},
    ),
    (
        "WT-05",
        "minutes",
        "computed",
        "lower",
        "welfaretech",
        ["locality", "area", "sex"],
        True,
        "Insatstid trygghetslarm, median (minuter)",
        "Safety-alarm response time, median (minutes)",
        "Mediantiden från larm till att personal var på plats, för larm som krävde besök.",
        "Median time from alarm to staff arriving, for alarms that needed a visit.",
        {},
    ),
    (
        "WT-05-P90",
        "minutes",
        "computed",
        "lower",
        "welfaretech",
        ["locality", "area", "sex"],
        False,
        "Insatstid trygghetslarm, 90:e percentilen (minuter)",
        "Safety-alarm response time, 90th percentile (minutes)",
        "Nio av tio larmbesök var på plats inom denna tid.",
        "Nine in ten alarm visits arrived within this time.",
        {},
    ),
    (
        "WT-06",
        "rate",
        "computed",
        "lower",
        "welfaretech",
        ALL,
        False,
        "Missade läkemedelsdoser per 1 000 doser",
        "Missed medication doses per 1,000 scheduled doses",
        "Missade doser delat med alla loggade doser (tagna och missade) gånger 1 000.",
        "Missed doses divided by all logged doses (taken and missed) times 1,000.",
        {},
    ),
    (
        "WT-07",
        "rate",
        "computed",
        "lower",
        "welfaretech",
        ["technology"],
        False,
        "Fel per 100 enheter",
        "Device faults per 100 devices",
        "Felanmälningar under perioden per 100 enheter i bruk (ej kasserade).",
        "Faults reported in the period per 100 devices in use (not retired).",
        {},
    ),
    (
        "WT-07-MTTR",
        "hours",
        "computed",
        "lower",
        "welfaretech",
        ["technology"],
        False,
        "Medeltid till reparation (timmar)",
        "Mean time to repair (hours)",
        "Genomsnittlig tid från felanmälan till lagat, för fel anmälda under perioden som är lagade.",
        "Average time from fault report to repair, for faults reported in the period that are repaired.",
        {},
    ),
    (
        "WT-08",
        "percent",
        "computed",
        "higher",
        "welfaretech",
        [],
        False,
        "Personal med giltig utbildning i välfärdsteknik",
        "Staff with valid welfare-tech training",
        "Andel av hemtjänstpersonalen som har en giltig utbildning i välfärdsteknik vid periodens slut.",
        "Share of home-care staff with valid welfare-technology training at the end of the period.",
        {"target_value": Decimal("100"), "target_year": 2027},
    ),
    (
        "WT-09",
        "percent",
        "computed",
        "higher",
        "welfaretech",
        ["locality", "area", "sex"],
        True,
        "Personer 80+ i eget boende med GPS-larm",
        "People 80+ at home with a GPS alarm",
        "Omsorgstagare 80+ i eget boende som hade GPS-larm under perioden, delat med invånare 80+. "
        "SKR:s mål: 2 %.",
        "Care recipients 80+ living in their own home who had a GPS alarm in the period, divided by "
        "inhabitants 80+. National (SKR) target: 2%.",
        {"target_value": Decimal("2"), "target_year": 2027},
    ),
    (
        "SRV-01",
        "percent",
        "manual",
        "lower",
        "survey",
        ["locality", "sex"],
        True,
        "Ofrivillig ensamhet (enkät)",
        "Involuntary loneliness (survey)",
        "Andel svarande 65+ som ofta eller nästan alltid känner sig ensamma mot sin vilja. Nationellt "
        "känner 10–15 % av personer över 77 år det.",
        "Share of respondents 65+ who often or almost always feel lonely against their will. Nationally "
        "10–15% of people over 77 do.",
        {"target_value": Decimal("10"), "target_year": 2030},
    ),
    (
        "SRV-02",
        "percent",
        "manual",
        "higher",
        "survey",
        ["locality", "sex"],
        False,
        "Känner sig trygga hemma med digitalt stöd (enkät)",
        "Feel safe at home with digital support (survey)",
        "Andel svarande med välfärdsteknik som känner sig trygga hemma tack vare det digitala stödet.",
        "Share of respondents with welfare technology who feel safe at home thanks to the digital support.",
        {},
    ),
]


def create(apps, schema_editor):
    Indicator = apps.get_model("followup", "Indicator")
    for position, row in enumerate(CATALOGUE, start=1):
        code, unit, source, direction, domain, splits, is_key, nsv, nen, dsv, den, extra = row
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "unit": unit,
                "source": source,
                "direction": direction,
                "domain": domain,
                "splits": list(splits),
                "is_key": is_key,
                "name_sv": nsv,
                "name_en": nen,
                "description_sv": dsv,
                "description_en": den,
                "sort_order": position * 10,
                **extra,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("followup", "Indicator").objects.filter(code__in=[row[0] for row in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
