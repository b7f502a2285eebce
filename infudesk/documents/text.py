"""The documents' wording: the patient letters in English and Spanish, the payer documents in
English, and dates written the way each language writes them.

The Spanish texts are written as letters to the patient (usted), not translated label by
label. Templates use ``str.format`` fields; the builders fill them with markup that is already
escaped (``styles.markup``), so the static text here may use ``<b>`` but no other markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from infudesk.documents.data import Language

_MONTHS: dict[Language, tuple[str, ...]] = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio",
        "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    ),
}  # fmt: skip
_MONTHS_SHORT: dict[Language, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
}


def long_date(d: date, lang: Language = "en") -> str:
    """'November 27, 2026' / '27 de noviembre de 2026'."""
    month = _MONTHS[lang][d.month - 1]
    if lang == "es":
        return f"{d.day} de {month} de {d.year}"
    return f"{month} {d.day}, {d.year}"


def short_date(d: date, lang: Language = "en") -> str:
    """'Nov 27, 2026' / '27 nov 2026' (tables)."""
    month = _MONTHS_SHORT[lang][d.month - 1]
    if lang == "es":
        return f"{d.day} {month} {d.year}"
    return f"{month} {d.day}, {d.year}"


def date_time(d: datetime | date | None) -> str:
    """'Nov 20, 2026, 9:40 AM' for a call; '' for None."""
    if d is None:
        return ""
    if not isinstance(d, datetime):
        return short_date(d)
    hour = d.hour % 12 or 12
    return f"{short_date(d.date())}, {hour}:{d.minute:02d} {'AM' if d.hour < 12 else 'PM'}"


def date_span(first: date, last: date, lang: Language = "en", *, short: bool = False) -> str:
    """'Jan 20 – Jul 7, 2026' style span (one date when equal)."""
    fmt = short_date if short else long_date
    if first == last:
        return fmt(first, lang)
    return f"{fmt(first, lang)} – {fmt(last, lang)}"


def join_words(items: Sequence[str], lang: Language = "en") -> str:
    """'a', 'a and b', 'a, b and c' ('y' in Spanish; 'e' before an i- sound is not handled)."""
    conj = " y " if lang == "es" else " and "
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + conj + items[-1]


def apposition(name: str) -> str:
    """'Ana Ruiz, financial counselor' → 'Ana Ruiz, financial counselor,' so that the sentence
    'Call {name} at …' reads right; a plain name is left alone."""
    return f"{name}," if "," in name else name


def every(days: int, lang: Language = "en") -> str:
    """56 → 'every 8 weeks' / 'cada 8 semanas'; 182 → 'every 6 months'."""
    es = lang == "es"
    if days in (182, 183):
        return "cada 6 meses" if es else "every 6 months"
    if days == 7:
        return "cada semana" if es else "every week"
    if days % 7 == 0:
        return f"cada {days // 7} semanas" if es else f"every {days // 7} weeks"
    if days == 1:
        return "cada día" if es else "every day"
    return f"cada {days} días" if es else f"every {days} days"


def visits(n: int, lang: Language = "en") -> str:
    """'1 visit', '7 visits' / '1 visita', '7 visitas'."""
    if lang == "es":
        return f"{n} visita" if n == 1 else f"{n} visitas"
    return f"{n} visit" if n == 1 else f"{n} visits"


# --- on every page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PageText:
    date_of_birth: str
    mrn: str
    page_of: str  # {page} {pages}
    phone: str
    fax: str
    continued: str


PAGE: dict[Language, PageText] = {
    "en": PageText(
        date_of_birth="Date of birth",
        mrn="MRN",
        page_of="Page {page} of {pages}",
        phone="Phone",
        fax="Fax",
        continued="continued",
    ),
    "es": PageText(
        date_of_birth="Fecha de nacimiento",
        mrn="N.º de expediente",
        page_of="Página {page} de {pages}",
        phone="Tel.",
        fax="Fax",
        continued="continuación",
    ),
}


# --- patient cost letter ---------------------------------------------------------------------


@dataclass(frozen=True)
class CostLetterText:
    title: str
    intro_course: str  # {service} {center} {count} {every} {first} {last}
    intro_course_no_interval: str  # {service} {center} {count} {first} {last}
    intro_one: str  # {service} {center} {date}
    insurance_one: str  # {plan} {payer} {member} (payer: ' (Payer)' or '')
    insurance_two: str  # {plan} {payer} {member} {plan2} {payer2} {member2}
    member_id: str  # ", member ID {member}"
    self_pay: str
    lead_heading: str
    lead_year: str  # {owes} {visits} {year}
    lead_one: str  # {owes} {date}
    calendar_year: str  # {year}
    plan_year: str  # {span}
    after_assistance: str  # {before} {assistance}
    insurance_pays: str  # {amount}
    per_visit_same: str  # {amount}
    per_visit_range: str  # {low} {high}
    table_heading: str
    col_visit: str
    col_dates: str
    col_price: str
    col_price_self_pay: str
    col_insurance: str
    col_share: str
    col_assistance: str
    col_owes: str
    total_row: str  # {year} {visits}
    table_note: str
    table_note_short: str  # without assistance (no "your share" column)
    table_note_self_pay: str
    how_heading: str
    deductible_paid: str  # {deductible} {met} {paid}
    deductible_paid_fresh: str  # {deductible} {paid}
    deductible_met: str  # {deductible}
    new_plan_year: str  # {date}
    new_plan_year_assumed: str  # {date}: and the same terms are assumed after it
    coinsurance: str  # {rate} {amount}
    copay: str  # {copay} {amount}
    oop_reached: str  # {oop} {met} {date}
    oop_already: str  # {oop}
    oop_not_reached: str  # {oop} {met}
    oop_none: str
    secondary: str  # {plan2} {amount} {plan}
    program: str  # {name} {amount}
    self_pay_how: str
    unknown_heading: str
    confirmed_heading: str  # when nothing is pending
    not_verified: str
    verified: str  # {date}
    pa_pending: str
    pa_unknown: str
    pa_denied: str
    nothing_pending: str  # {date} {pa}
    nothing_pending_pa_approved: str
    nothing_pending_pa_not_required: str
    contact_heading: str
    contact: str  # {name} {phone}
    contact_hours: str  # {hours}
    contact_email: str  # {email}
    disclaimer_heading: str
    disclaimer: str
    sign_heading: str
    sign_text: str
    sign_signature: str
    sign_date: str
    sign_name: str
    sign_relationship: str


COST_LETTER: dict[Language, CostLetterText] = {
    "en": CostLetterText(
        title="Your cost estimate",
        intro_course=(
            "This letter explains what you can expect to pay for {service} at {center}: "
            "{count}, {every}, from {first} to {last}."
        ),
        intro_course_no_interval=(
            "This letter explains what you can expect to pay for {service} at {center}: "
            "{count}, from {first} to {last}."
        ),
        intro_one="This letter explains what you can expect to pay for {service} at {center} on {date}.",
        insurance_one="We based it on your insurance: {plan}{payer}{member}.",
        insurance_two=(
            "We based it on your insurance, {plan}{payer}{member}, and on your second "
            "insurance, {plan2}{payer2}{member2}."
        ),
        member_id=", member ID {member}",
        self_pay=(
            "You are not using insurance for these visits, so the amounts use our self-pay prices."
        ),
        lead_heading="What you can expect to pay",
        lead_year="You are expected to owe <b>{owes}</b> for the {visits} {year}.",
        lead_one="You are expected to owe <b>{owes}</b> for your visit on {date}.",
        calendar_year="in {year}",
        plan_year="in the plan year {span}",
        after_assistance=(
            "That is after {assistance} of financial assistance. Before assistance, your share "
            "would be {before}."
        ),
        insurance_pays="Your insurance is expected to pay {amount}.",
        per_visit_same="At each visit you are expected to owe {amount}.",
        per_visit_range=(
            "What you owe changes from visit to visit, from {low} to {high}: see the table below."
        ),
        table_heading="Visit by visit",
        col_visit="Visit",
        col_dates="Date",
        col_price="Plan's price",
        col_price_self_pay="Price",
        col_insurance="Insurance pays",
        col_share="Your share",
        col_assistance="Assistance",
        col_owes="You owe",
        total_row="Total {year} ({visits})",
        table_note=(
            "Amounts are for each visit of the row. The plan's price is the amount your plan "
            "allows for the visit; your share is what is left for you before assistance."
        ),
        table_note_short=(
            "Amounts are for each visit of the row. The plan's price is the amount your plan "
            "allows for the visit."
        ),
        table_note_self_pay="Amounts are for each visit of the row.",
        how_heading="How we reached these amounts",
        deductible_paid=(
            "Your plan's deductible is {deductible} a plan year, and {met} of it had already been "
            "met. Of your share in this estimate, {paid} goes toward the deductible."
        ),
        deductible_paid_fresh=(
            "Your plan's deductible is {deductible} a plan year, and none of it had been met "
            "yet. Of your share in this estimate, {paid} goes toward the deductible."
        ),
        deductible_met="You have already met your plan's deductible of {deductible} this plan year.",
        new_plan_year=(
            "Your plan year starts again on {date}: what you have paid toward the deductible "
            "and the out-of-pocket maximum goes back to $0.00 then."
        ),
        new_plan_year_assumed=(
            "Your plan year starts again on {date}: what you have paid toward the deductible "
            "and maximum goes back to $0.00, and we assumed your plan's terms do not change."
        ),
        coinsurance=(
            "After the deductible, your plan leaves {rate} of the plan's price to you (your "
            "coinsurance): {amount} over these visits."
        ),
        copay="Your copay is {copay} a visit: {amount} over these visits.",
        oop_reached=(
            "Your out-of-pocket maximum is {oop} a plan year ({met} already met). You are "
            "expected to reach it at the visit on {date}; after that, your plan pays for all "
            "covered care for the rest of the plan year."
        ),
        oop_already=(
            "You have already reached your out-of-pocket maximum of {oop} this plan year: your "
            "plan pays for all covered care for the rest of the plan year."
        ),
        oop_not_reached=(
            "Your out-of-pocket maximum is {oop} a plan year ({met} already met). You are not "
            "expected to reach it with these visits."
        ),
        oop_none="Your plan has no yearly out-of-pocket maximum.",
        secondary="{plan2} is expected to pay {amount} of what {plan} leaves to you.",
        program="{name} is expected to pay {amount}.",
        self_pay_how="Without insurance, you pay our self-pay price for each visit.",
        unknown_heading="What we do not know yet",
        confirmed_heading="What we have confirmed",
        not_verified=(
            "We have not yet confirmed your benefits with your insurance. The amounts may "
            "change once we do."
        ),
        verified="We confirmed your benefits with your insurance on {date}.",
        pa_pending=(
            "Your insurance has not yet approved these infusions (prior authorization is "
            "pending). If it does not approve them, this estimate does not apply, and we will "
            "call you before your visit."
        ),
        pa_unknown=(
            "We do not know yet whether your insurance must approve these infusions in advance "
            "(prior authorization)."
        ),
        pa_denied=(
            "Your insurance has denied approval of these infusions. We are working on it and "
            "will talk with you before any visit; this estimate assumes they will be approved."
        ),
        nothing_pending="We confirmed your benefits on {date}{pa}. Nothing is pending.",
        nothing_pending_pa_approved=", and your insurance approved these infusions",
        nothing_pending_pa_not_required=", and no prior approval is needed",
        contact_heading="Questions?",
        contact="Call {name} at {phone}",
        contact_hours=" ({hours})",
        contact_email=", or write to {email}",
        disclaimer_heading="This is an estimate",
        disclaimer=(
            "It is not a bill and not a promise of payment by your insurance. "
            "What you finally owe depends on how your insurance processes each claim, your "
            "benefits on the day of each visit, the dose you actually receive, and any other "
            "care you receive during the plan year. We will tell you if we learn of a change "
            "that affects this estimate."
        ),
        sign_heading="Your acknowledgment",
        sign_text=(
            "I received this estimate and understand that it is not a guarantee of what I will "
            "owe. I agree to pay the amounts that my insurance and any assistance program do "
            "not cover."
        ),
        sign_signature="Signature of patient or responsible person",
        sign_date="Date",
        sign_name="Printed name",
        sign_relationship="Relationship to patient (if not the patient)",
    ),
    "es": CostLetterText(
        title="Cálculo de lo que usted pagará",
        intro_course=(
            "En esta carta le explicamos cuánto podría pagar por {service} en {center}: "
            "{count}, {every}, del {first} al {last}."
        ),
        intro_course_no_interval=(
            "En esta carta le explicamos cuánto podría pagar por {service} en {center}: "
            "{count}, del {first} al {last}."
        ),
        intro_one=(
            "En esta carta le explicamos cuánto podría pagar por {service} en {center} el {date}."
        ),
        insurance_one="Hicimos el cálculo con su seguro médico: {plan}{payer}{member}.",
        insurance_two=(
            "Hicimos el cálculo con su seguro médico, {plan}{payer}{member}, y con su "
            "segundo seguro, {plan2}{payer2}{member2}."
        ),
        member_id=", número de miembro {member}",
        self_pay=(
            "Usted no usará seguro médico para estas visitas, así que los montos se basan en "
            "nuestros precios para pacientes sin seguro."
        ),
        lead_heading="Cuánto podría pagar",
        lead_year="Calculamos que usted pagará <b>{owes}</b> por las {visits} {year}.",
        lead_one="Calculamos que usted pagará <b>{owes}</b> por su visita del {date}.",
        calendar_year="de {year}",
        plan_year="del año del plan {span}",
        after_assistance=(
            "Esta cantidad ya descuenta {assistance} de ayuda financiera. Sin esa ayuda, a usted "
            "le tocaría pagar {before}."
        ),
        insurance_pays="Su seguro pagaría {amount}.",
        per_visit_same="En cada visita, usted pagaría {amount}.",
        per_visit_range=(
            "Lo que usted paga cambia de una visita a otra, entre {low} y {high}: vea la tabla."
        ),
        table_heading="Visita por visita",
        col_visit="Visita",
        col_dates="Fecha",
        col_price="Precio del plan",
        col_price_self_pay="Precio",
        col_insurance="Paga el seguro",
        col_share="Su parte",
        col_assistance="Ayuda",
        col_owes="Usted paga",
        total_row="Total {year} ({visits})",
        table_note=(
            "Los montos son por cada visita de la fila. El precio del plan es lo que su seguro "
            "reconoce por la visita; su parte es lo que le queda a usted antes de la ayuda."
        ),
        table_note_short=(
            "Los montos son por cada visita de la fila. El precio del plan es lo que su seguro "
            "reconoce por la visita."
        ),
        table_note_self_pay="Los montos son por cada visita de la fila.",
        how_heading="Cómo hicimos el cálculo",
        deductible_paid=(
            "El deducible de su plan es de {deductible} por año del plan, y ya se habían "
            "cubierto {met}. De su parte en este cálculo, {paid} se aplica al deducible."
        ),
        deductible_paid_fresh=(
            "El deducible de su plan es de {deductible} por año del plan, y todavía no se había "
            "cubierto nada. De su parte en este cálculo, {paid} se aplica al deducible."
        ),
        deductible_met=(
            "Usted ya cubrió el deducible de su plan ({deductible}) en este año del plan."
        ),
        new_plan_year=(
            "Su año del plan vuelve a empezar el {date}: ese día, lo que lleva pagado para el "
            "deducible y para el máximo de gastos de bolsillo vuelve a $0.00."
        ),
        new_plan_year_assumed=(
            "Su año del plan vuelve a empezar el {date}: lo pagado para el deducible y el "
            "máximo vuelve a $0.00, y supusimos que las condiciones de su plan no cambian."
        ),
        coinsurance=(
            "Después del deducible, su plan le deja a usted el {rate} del precio del plan (su "
            "coseguro): {amount} en total por estas visitas."
        ),
        copay="Su copago es de {copay} por visita: {amount} en total por estas visitas.",
        oop_reached=(
            "Su máximo de gastos de bolsillo es de {oop} por año del plan (ya lleva {met}). "
            "Calculamos que lo alcanzará en la visita del {date}; desde entonces, su plan paga "
            "toda la atención cubierta durante el resto del año del plan."
        ),
        oop_already=(
            "Usted ya alcanzó su máximo de gastos de bolsillo de {oop} en este año del plan: su "
            "plan paga toda la atención cubierta durante el resto del año."
        ),
        oop_not_reached=(
            "Su máximo de gastos de bolsillo es de {oop} por año del plan (ya lleva {met}). "
            "Con estas visitas no llegaría a ese máximo."
        ),
        oop_none="Su plan no tiene un máximo anual de gastos de bolsillo.",
        secondary="{plan2} pagaría {amount} de lo que {plan} deja a su cargo.",
        program="{name}: cubriría {amount}.",
        self_pay_how=(
            "Como no usará seguro, usted paga nuestro precio para pacientes sin seguro en cada "
            "visita."
        ),
        unknown_heading="Lo que todavía no sabemos",
        confirmed_heading="Lo que ya confirmamos",
        not_verified=(
            "Todavía no hemos confirmado sus beneficios con su seguro. Los montos pueden "
            "cambiar cuando lo hagamos."
        ),
        verified="Confirmamos sus beneficios con su seguro el {date}.",
        pa_pending=(
            "Su seguro todavía no ha aprobado estas infusiones (la autorización previa está en "
            "trámite). Si no las aprueba, este cálculo no aplica y le llamaremos antes de su "
            "visita."
        ),
        pa_unknown=(
            "Todavía no sabemos si su seguro tiene que aprobar estas infusiones por adelantado "
            "(autorización previa)."
        ),
        pa_denied=(
            "Su seguro negó la autorización de estas infusiones. Estamos trabajando en ello y "
            "hablaremos con usted antes de cualquier visita; este cálculo supone que se "
            "aprobarán."
        ),
        nothing_pending=("Confirmamos sus beneficios el {date}{pa}. No hay nada pendiente."),
        nothing_pending_pa_approved=", y su seguro ya aprobó estas infusiones",
        nothing_pending_pa_not_required=(
            ", y su seguro no exige autorización previa para estas infusiones"
        ),
        contact_heading="¿Tiene preguntas?",
        contact="Llame a {name} al {phone}",
        contact_hours=" ({hours})",
        contact_email=" o escriba a {email}",
        disclaimer_heading="Esto es un cálculo aproximado",
        disclaimer=(
            "No es una factura ni una garantía de pago de su seguro. "
            "Lo que usted pague al final depende de cómo su seguro procese cada "
            "reclamación, de sus beneficios el día de cada visita, de la dosis que reciba y de "
            "cualquier otra atención médica que reciba durante el año del plan. Si nos "
            "enteramos de algún cambio que afecte este cálculo, se lo diremos."
        ),
        sign_heading="Su confirmación",
        sign_text=(
            "Recibí este cálculo y entiendo que no garantiza la cantidad que tendré que pagar. "
            "Acepto pagar lo que no cubran mi seguro ni los programas de ayuda."
        ),
        sign_signature="Firma del paciente o de la persona responsable",
        sign_date="Fecha",
        sign_name="Nombre en letra de molde",
        sign_relationship="Parentesco con el paciente (si no firma el paciente)",
    ),
}


# --- Good Faith Estimate (CMS-10791 model form) ----------------------------------------------


@dataclass(frozen=True)
class GfeText:
    title: str
    short_title: str
    intro: str
    patient_heading: str
    patient_name: str
    date_of_birth: str
    patient_id: str
    address: str
    phone: str
    email: str
    service_heading: str
    primary_service: str
    diagnosis: str
    service_dates: str
    not_scheduled: str
    requested_on: str
    issued_on: str
    covers_through: str
    summary_heading: str
    summary_intro: str  # {count}
    col_provider: str
    col_provider_total: str
    total_estimated: str
    details_heading: str  # {name}
    provider_type: str
    npi: str
    tin: str
    where: str
    place: str
    contact: str
    notes: str
    col_service: str
    col_date: str
    col_diagnosis: str
    col_code_type: str
    col_code: str
    col_quantity: str
    col_cost: str
    provider_total: str  # {name}
    separate_heading: str
    separate_intro: str
    separate_none: str
    other_services: str
    disclaimer_heading: str
    estimate_only: str
    unexpected: str
    dispute_heading: str
    contact_provider: str
    dispute: str
    no_effect_on_care: str
    learn_more: str
    keep_copy: str
    not_contract: str
    questions: str  # {name} {phone}


GFE: dict[Language, GfeText] = {
    "en": GfeText(
        title="Good Faith Estimate for Health Care Items and Services",
        short_title="Good Faith Estimate",
        intro=(
            "Under the No Surprises Act, health care providers and facilities must give people "
            "who are uninsured, or who are not using their insurance, an estimate of the "
            "expected charges for their care: a Good Faith Estimate. You have the right to "
            "receive one, in writing, before your care is scheduled or when you ask for it."
        ),
        patient_heading="Patient",
        patient_name="Patient name",
        date_of_birth="Patient date of birth",
        patient_id="Patient identification number",
        address="Mailing address",
        phone="Phone",
        email="Email",
        service_heading="Primary service and diagnosis",
        primary_service="Primary service or item requested or scheduled",
        diagnosis="Diagnosis",
        service_dates="Scheduled date(s) of service",
        not_scheduled="Not scheduled yet",
        requested_on="Date the estimate was requested",
        issued_on="Date of this Good Faith Estimate",
        covers_through="This estimate covers recurring care through",
        summary_heading="Summary of expected charges",
        summary_intro=(
            "This Good Faith Estimate includes {count}. The itemized estimate of each follows."
        ),
        col_provider="Provider or facility",
        col_provider_total="Estimated total cost",
        total_estimated="Total estimated cost",
        details_heading="Estimate details: {name}",
        provider_type="Provider or facility type",
        npi="National Provider Identifier (NPI)",
        tin="Taxpayer Identification Number (TIN)",
        where="Where care is given",
        place="Place of care",
        contact="Contact",
        notes="Notes",
        col_service="Service or item",
        col_date="Date",
        col_diagnosis="Diagnosis code",
        col_code_type="Service code type",
        col_code="Service code",
        col_quantity="Quantity",
        col_cost="Expected cost",
        provider_total="Total expected charges from {name}",
        separate_heading="Items and services scheduled separately",
        separate_intro=(
            "These items and services are expected as part of your care but must be scheduled "
            "or requested separately. They are not included in this Good Faith Estimate:"
        ),
        separate_none="None are expected.",
        other_services=(
            "If other items or services are recommended as part of your care, they are not "
            "included in this Good Faith Estimate; you will get a separate Good Faith Estimate "
            "for them."
        ),
        disclaimer_heading="Disclaimer",
        estimate_only=(
            "This Good Faith Estimate shows the costs of items and services that are reasonably "
            "expected for your health care needs. The estimate is based on information known at "
            "the time it was created. It is only an estimate: the items, services and charges "
            "you actually receive may differ."
        ),
        unexpected=(
            "The Good Faith Estimate does not include any unknown or unexpected costs that may "
            "arise during treatment. You could be charged more if complications or special "
            "circumstances occur. If this happens, federal law allows you to dispute (appeal) "
            "the bill."
        ),
        dispute_heading=(
            "If you are billed for more than this Good Faith Estimate, you have the right to "
            "dispute the bill."
        ),
        contact_provider=(
            "You may contact the health care provider or facility listed to let them know the "
            "billed charges are higher than the Good Faith Estimate. You can ask them to update "
            "the bill to match the Good Faith Estimate, ask to negotiate the bill, or ask if "
            "there is financial assistance available."
        ),
        dispute=(
            "You may also start a dispute resolution process with the U.S. Department of Health "
            "and Human Services (HHS) if the bill from any provider or facility is at least "
            "<b>$400</b> more than that provider's or facility's total on this Good Faith "
            "Estimate. You must start the dispute process within <b>120 calendar days</b> (about "
            "4 months) of the date on the original bill. There is a $25 fee to use the dispute "
            "process. If the agency reviewing your dispute agrees with you, you will have to pay "
            "the price on this Good Faith Estimate. If the agency disagrees with you and agrees "
            "with the health care provider or facility, you will have to pay the higher amount."
        ),
        no_effect_on_care=(
            "Starting a dispute will not affect the quality of the care you receive from these "
            "providers and facilities."
        ),
        learn_more=(
            "To learn more and get a form to start the process, go to "
            "<b>www.cms.gov/nosurprises</b> or call <b>1-800-985-3059</b>. For questions or more "
            "information about your right to a Good Faith Estimate or the dispute process, visit "
            "www.cms.gov/nosurprises or call 1-800-985-3059."
        ),
        keep_copy=(
            "Keep a copy of this Good Faith Estimate in a safe place or take pictures of it. You "
            "may need it if you are billed a higher amount."
        ),
        not_contract=(
            "This Good Faith Estimate is not a contract and does not require you to obtain the "
            "items or services from any of the providers or facilities identified in it."
        ),
        questions="Questions about this estimate? Call {name} at {phone}.",
    ),
    "es": GfeText(
        title="Estimado de buena fe para artículos y servicios de atención médica",
        short_title="Estimado de buena fe",
        intro=(
            "La Ley Sin Sorpresas (No Surprises Act) exige que los proveedores y centros de "
            "atención médica den a las personas que no tienen seguro, o que no van a usarlo, un "
            "cálculo de lo que se espera cobrarles por su atención: un estimado de buena fe. "
            "Usted tiene derecho a recibirlo por escrito antes de que se programe su atención o "
            "cuando lo pida."
        ),
        patient_heading="Paciente",
        patient_name="Nombre del paciente",
        date_of_birth="Fecha de nacimiento",
        patient_id="Número de identificación del paciente",
        address="Dirección postal",
        phone="Teléfono",
        email="Correo electrónico",
        service_heading="Servicio principal y diagnóstico",
        primary_service="Servicio o artículo principal solicitado o programado",
        diagnosis="Diagnóstico",
        service_dates="Fechas programadas del servicio",
        not_scheduled="Todavía no se ha programado",
        requested_on="Fecha en que pidió el estimado",
        issued_on="Fecha de este estimado de buena fe",
        covers_through="Este estimado cubre la atención periódica hasta el",
        summary_heading="Resumen de los cargos previstos",
        summary_intro=(
            "Este estimado de buena fe incluye {count}. Más abajo encontrará el detalle de "
            "cada uno."
        ),
        col_provider="Proveedor o centro",
        col_provider_total="Costo total estimado",
        total_estimated="Costo total estimado",
        details_heading="Detalle del estimado: {name}",
        provider_type="Tipo de proveedor o centro",
        npi="Identificador Nacional de Proveedor (NPI)",
        tin="Número de Identificación del Contribuyente (TIN)",
        where="Dónde se presta la atención",
        place="Lugar de atención",
        contact="Contacto",
        notes="Notas",
        col_service="Servicio o artículo",
        col_date="Fecha",
        col_diagnosis="Código de diagnóstico",
        col_code_type="Tipo de código",
        col_code="Código del servicio",
        col_quantity="Cantidad",
        col_cost="Costo previsto",
        provider_total="Total de cargos previstos de {name}",
        separate_heading="Artículos y servicios que se programan por separado",
        separate_intro=(
            "Se espera que estos artículos y servicios formen parte de su atención, pero deben "
            "programarse o pedirse por separado. No están incluidos en este estimado de buena "
            "fe:"
        ),
        separate_none="No se prevé ninguno.",
        other_services=(
            "Si le recomiendan otros artículos o servicios como parte de su atención, no están "
            "incluidos en este estimado de buena fe; recibirá un estimado aparte para ellos."
        ),
        disclaimer_heading="Aviso importante",
        estimate_only=(
            "Este estimado de buena fe muestra los costos de los artículos y servicios que "
            "razonablemente se espera que usted necesite. Se basa en la información que se "
            "conocía cuando se preparó. Es solo un estimado: los artículos, servicios y cargos "
            "que usted reciba en realidad pueden ser distintos."
        ),
        unexpected=(
            "El estimado no incluye costos desconocidos o inesperados que puedan surgir durante "
            "el tratamiento. Se le podría cobrar más si hay complicaciones o circunstancias "
            "especiales. Si eso ocurre, la ley federal le permite disputar (apelar) la factura."
        ),
        dispute_heading=(
            "Si le cobran más de lo que indica este estimado de buena fe, usted tiene derecho a "
            "disputar la factura."
        ),
        contact_provider=(
            "Puede comunicarse con el proveedor o centro que aparece en este estimado para "
            "avisarle que lo facturado es más alto. Puede pedirle que ajuste la factura al "
            "estimado, negociar la factura o preguntar si hay ayuda financiera."
        ),
        dispute=(
            "También puede iniciar un proceso de resolución de disputas con el Departamento de "
            "Salud y Servicios Humanos de los EE. UU. (HHS) si la factura de cualquier "
            "proveedor o centro supera en <b>$400</b> o más el total que este estimado indica "
            "para ese proveedor o centro. Debe iniciar la disputa dentro de los <b>120 días "
            "calendario</b> (unos 4 meses) siguientes a la fecha de la factura original. El "
            "proceso cuesta $25. Si la agencia que revisa su disputa le da la razón, usted "
            "pagará el precio de este estimado. Si no se la da y está de acuerdo con el "
            "proveedor o centro, usted tendrá que pagar la cantidad más alta."
        ),
        no_effect_on_care=(
            "Iniciar una disputa no afectará la calidad de la atención que usted reciba de estos "
            "proveedores y centros."
        ),
        learn_more=(
            "Para saber más y obtener el formulario para iniciar el proceso, visite "
            "<b>www.cms.gov/nosurprises</b> o llame al <b>1-800-985-3059</b>. Si tiene preguntas "
            "sobre su derecho a recibir un estimado de buena fe o sobre el proceso de disputa, "
            "visite www.cms.gov/nosurprises o llame al 1-800-985-3059."
        ),
        keep_copy=(
            "Guarde una copia o una foto de este estimado de buena fe en un lugar seguro. La "
            "puede necesitar si le cobran una cantidad mayor."
        ),
        not_contract=(
            "Este estimado de buena fe no es un contrato y no le obliga a recibir los artículos "
            "o servicios de ninguno de los proveedores o centros que aparecen en él."
        ),
        questions="¿Tiene preguntas sobre este estimado? Llame a {name} al {phone}.",
    ),
}


def providers_count(n: int, lang: Language) -> str:
    """'1 provider or facility' / '2 proveedores o centros'."""
    if lang == "es":
        return "1 proveedor o centro" if n == 1 else f"{n} proveedores o centros"
    return "1 provider or facility" if n == 1 else f"{n} providers or facilities"


# --- prior authorization packet (to the payer: English) --------------------------------------


@dataclass(frozen=True)
class PaText:
    cover_title: str = "Prior Authorization Request"
    urgent: str = (
        "URGENT: expedited review requested — waiting the standard time could seriously "
        "jeopardize the patient's health."
    )
    to: str = "To"
    from_: str = "From"
    date: str = "Date"
    fax: str = "Fax"
    portal: str = "Portal"
    phone: str = "Phone"
    patient_heading: str = "Patient"
    member_id: str = "Member ID"
    group: str = "Group"
    plan: str = "Plan"
    provider_heading: str = "Ordering provider"
    request_heading: str = "Requested treatment"
    drug: str = "Drug"
    dose: str = "Dose and frequency"
    col_code: str = "Code"
    col_type: str = "Type"
    col_description: str = "Description"
    col_units: str = "Units per visit"
    diagnosis: str = "Diagnosis"
    site: str = "Site of care"
    dates: str = "Requested dates"
    visits: str = "Visits requested"
    contents_heading: str = "Contents of this request"
    contact: str = "Questions about this request: {name}, {phone}"
    confidential: str = (
        "CONFIDENTIAL: this transmission contains protected health information. If you received "
        "it in error, notify the sender at the number above and destroy it."
    )
    lmn_title: str = "Letter of Medical Necessity"
    draft_banner: str = "DRAFT for the provider to review, complete and sign"
    draft_note: str = (
        "Drafted by the infusion center from the case file. Highlighted blanks are for the "
        "provider to complete; edit anything that is not accurate before signing."
    )
    re_: str = "Re"
    attention: str = "Utilization Management / Prior Authorization"
    date_of_birth: str = "Date of birth"
    dob_inline: str = "date of birth"
    member_inline: str = "member ID"
    visits_suffix: str = ", {count} visits"
    salutation: str = "Dear Medical Director:"
    opening: str = (
        "I am writing on behalf of my patient, {name}, to request authorization of {drug} for "
        "{diagnosis}."
    )
    history_heading: str = "Diagnosis and clinical history"
    history_blank: str = (
        "date of diagnosis, disease activity and severity (scores, findings), current symptoms"
    )
    therapies_heading: str = "Prior therapies and outcomes"
    therapies_intro: str = "The patient has tried the following therapies:"
    therapies_blank: str = (
        "prior therapies, with dates and doses, and why each was stopped (failure, "
        "intolerance, contraindication)"
    )
    col_therapy: str = "Therapy"
    col_dates: str = "Dates"
    col_outcome: str = "Outcome"
    labs_heading: str = "Laboratory and other results"
    labs_blank: str = "relevant laboratory, imaging or screening results (e.g. TB, hepatitis B)"
    col_test: str = "Test"
    col_result: str = "Result"
    plan_heading: str = "Treatment plan"
    plan_text: str = (
        "{drug}, {dose}, at {site}, from {start} to {end}{visits}. Billing codes: {codes}."
    )
    plan_blank: str = "monitoring plan and expected duration of therapy"
    necessity_heading: str = "Why this treatment is medically necessary"
    necessity_blank: str = (
        "clinical rationale: why this drug, why now, why alternatives are not appropriate, "
        "guideline or compendia support"
    )
    closing: str = (
        "Based on the above, {drug} is medically necessary for this patient. Please approve "
        "this request. I am available for a peer-to-peer discussion at {phone}."
    )
    sincerely: str = "Sincerely,"
    signature: str = "Signature"
    npi: str = "NPI"
    sign_date: str = "Date"
    blank_prefix: str = "Provider to complete:"


PA = PaText()


# --- appeal letter (to the payer: English) ---------------------------------------------------


@dataclass(frozen=True)
class AppealText:
    title: str = "Request for Reconsideration (Appeal)"
    to: str = "To"
    fax: str = "Fax"
    patient: str = "Patient"
    date_of_birth: str = "Date of birth"
    member_id: str = "Member ID"
    plan: str = "Plan"
    group: str = "Group"
    reference: str = "{kind} number"
    service: str = "Service"
    codes: str = "Codes"
    diagnosis: str = "Diagnosis"
    denial_date: str = "Date of denial"
    deadline: str = "Appeal deadline"
    salutation: str = "Dear Appeals Reviewer:"
    opening: str = (
        "I am writing to appeal the denial of {service} for my patient, {name}. The "
        "{kind} request, reference {reference}, was denied on {denial_date} for this reason:"
    )
    request_default: str = (
        "I ask that you reconsider this decision and approve {service} as ordered."
    )
    rationale_heading: str = "Clinical rationale"
    enclosures_heading: str = "Enclosures"
    timeliness: str = (
        "This appeal is sent on {sent}, within the {days}-day appeal period that follows the "
        "denial of {denial_date} (deadline: {deadline})."
    )
    late: str = (
        "This appeal is sent on {sent}, after the {days}-day appeal period that followed the "
        "denial of {denial_date} ended on {deadline}. We ask that you accept it nonetheless."
    )
    closing: str = (
        "Please send your decision to my office. For questions or a peer-to-peer review, call "
        "{phone}."
    )
    sincerely: str = "Sincerely,"
    signature: str = "Signature"
    npi: str = "NPI"
    sign_date: str = "Date"


APPEAL = AppealText()


# --- verification summary (staff and payer records: English) ---------------------------------


@dataclass(frozen=True)
class VerificationText:
    title: str = "Benefits Verification Summary"
    sheet: str = "coverage {number} of {count}"
    order: str = "Verified for"
    coverage_heading: str = "{role} coverage: {plan}"
    payer: str = "Payer"
    plan: str = "Plan"
    plan_type: str = "Plan type"
    member_id: str = "Member ID"
    group: str = "Group"
    subscriber: str = "Subscriber"
    status: str = "Status"
    benefits_heading: str = "Benefits found"
    col_benefit: str = "Benefit"
    col_value: str = "What the payer reported"
    no_benefits: str = "No benefits recorded yet."
    call_heading: str = "Call record"
    called: str = "Spoke with"
    phone: str = "Number called"
    reference: str = "Reference number"
    called_at: str = "Date and time"
    verified_by: str = "Verified by"
    open_heading: str = "Still open"
    nothing_open: str = "Nothing open."
    problem: str = "Problem"


VERIFY = VerificationText()


# --- codes, sites and programs in a patient document's language ------------------------------
# The English labels live with the rules (domain.billing, domain.orders, domain.assistance);
# these are their Spanish counterparts, in our own words (never CPT descriptors).

CODE_LABELS_ES: dict[str, str] = {
    "96365": "Infusión intravenosa, primera hora",
    "96366": "Infusión intravenosa, cada hora adicional",
    "96369": "Infusión bajo la piel, primera hora, con preparación de la bomba",
    "96370": "Infusión bajo la piel, cada hora adicional",
    "96372": "Inyección bajo la piel o en un músculo",
    "96374": "Inyección intravenosa directa, primer medicamento",
    "96409": "Quimioterapia o medicamento complejo, inyección intravenosa directa",
    "96413": "Quimioterapia o medicamento complejo en infusión intravenosa, primera hora",
    "96415": "Quimioterapia o medicamento complejo en infusión intravenosa, cada hora adicional",
    "99601": "Visita de enfermería a domicilio, primeras 2 horas",
    "99602": "Visita de enfermería a domicilio, cada hora adicional",
    "S9338": "Infusión a domicilio, tarifa diaria de inmunoterapia (materiales, farmacia, coordinación)",
    "S9359": "Infusión a domicilio, tarifa diaria de terapia anti-TNF (materiales, farmacia, coordinación)",
    "S9379": "Infusión a domicilio, tarifa diaria de otra terapia (materiales, farmacia, coordinación)",
}
CODE_FALLBACK_ES = "Servicio con el código {code}"
DRUG_GIVEN: dict[Language, str] = {
    "en": "{drug}, amount given",
    "es": "{drug}, cantidad administrada",
}
DRUG_DISCARDED: dict[Language, str] = {
    "en": "{drug}, amount discarded from vials",
    "es": "{drug}, cantidad desechada de los viales",
}
SITES_ES: dict[str, str] = {
    "infusion_center": "Centro de infusión o consultorio (POS 11)",
    "hospital_outpatient": "Hospital, atención ambulatoria (POS 19/22)",
    "home": "Domicilio del paciente (POS 12)",
}
PROVIDER_KINDS: dict[Language, dict[str, str]] = {
    "en": {"facility": "Infusion center (facility)", "home": "Home infusion provider"},
    "es": {
        "facility": "Centro de infusión (establecimiento)",
        "home": "Proveedor de infusión a domicilio",
    },
}
PROGRAM_KINDS_ES: dict[str, str] = {
    "copay_card": "Tarjeta de copago del fabricante",
    "foundation_grant": "Ayuda de una fundación",
    "discount": "Descuento según sus ingresos",
}
SEPARATELY_SCHEDULED: dict[Language, str] = {
    "en": "Visits with the ordering physician and any laboratory tests are billed separately.",
    "es": (
        "Las consultas con el médico que indicó el tratamiento y los análisis de laboratorio "
        "se facturan por separado."
    ),
}
# The place of a patient letter's intro: "… at {center}" — a home visit names the home.
HOME_PLACE: dict[Language, str] = {
    "en": "your home, with care from {center}",
    "es": "su casa, con atención de {center}",
}
PATIENT_HOME: str = "Patient's home (POS 12)"  # payer documents (English)
NOTICE_HEADING: dict[Language, str] = {"en": "Please note", "es": "Tenga en cuenta"}


@dataclass(frozen=True)
class NoticeText:
    """The quote engine's warnings in plain words for the patient (see services.letters)."""

    new_plan_year: str  # {date} {which}
    new_plan_year_both: str  # {date}: both coverages start a new plan year that day
    primary_plan: str
    second_plan: str
    grant_expires: str  # {date}
    card_not_used: str
    part_b_deductible: str  # {year} {amount}
    part_b_coinsurance: str
    medicare_no_oop: str
    oop_above_limit: str
    oop_below_deductible: str


NOTICES: dict[Language, NoticeText] = {
    "en": NoticeText(
        new_plan_year=(
            "{which} starts a new plan year on {date}: we assumed the same deductible, "
            "coinsurance and maximum; if they change, so will what you owe."
        ),
        new_plan_year_both=(
            "Both your insurance plans start a new plan year on {date}: we assumed the same "
            "deductibles, coinsurance and maximums; if they change, so will what you owe."
        ),
        primary_plan="Your insurance",
        second_plan="Your second insurance",
        grant_expires=(
            "Your assistance grant ends on {date}: this estimate counts nothing from it for "
            "visits after that day unless it is renewed."
        ),
        card_not_used=(
            "Your manufacturer copay card is not counted in this estimate: it cannot be used "
            "with your current insurance."
        ),
        part_b_deductible=(
            "The Medicare Part B deductible for {year} is {amount}, and the figure we used is "
            "different. We are checking it: what you owe may change."
        ),
        part_b_coinsurance=(
            "Medicare Part B leaves 20% of its approved amount to you, and the rate we used is "
            "different. We are checking it: what you owe may change."
        ),
        medicare_no_oop=(
            "Original Medicare has no yearly limit on what you pay; this estimate does not use one."
        ),
        oop_above_limit=(
            "The yearly out-of-pocket maximum we have for your plan is above the legal limit. "
            "We are checking it with your insurance: what you owe may be lower."
        ),
        oop_below_deductible=(
            "Your plan's out-of-pocket maximum is lower than its deductible; you will not pay "
            "more than the maximum. We are checking these figures with your insurance."
        ),
    ),
    "es": NoticeText(
        new_plan_year=(
            "{which} empieza un nuevo año del plan el {date}: supusimos el mismo deducible, "
            "coseguro y máximo; si cambian, cambiará lo que usted paga."
        ),
        new_plan_year_both=(
            "Sus dos seguros empiezan un nuevo año del plan el {date}: supusimos los mismos "
            "deducibles, coseguros y máximos; si cambian, cambiará lo que usted paga."
        ),
        primary_plan="Su seguro",
        second_plan="Su segundo seguro",
        grant_expires=(
            "Su ayuda de la fundación termina el {date}: este cálculo no cuenta con ella para "
            "las visitas después de ese día, salvo que se renueve."
        ),
        card_not_used=(
            "Su tarjeta de copago del fabricante no se tiene en cuenta en este cálculo: no se "
            "puede usar con su seguro actual."
        ),
        part_b_deductible=(
            "El deducible de la Parte B de Medicare para {year} es de {amount}, y la cantidad "
            "que usamos es distinta. Lo estamos revisando: lo que usted paga puede cambiar."
        ),
        part_b_coinsurance=(
            "La Parte B de Medicare le deja a usted el 20% de la cantidad aprobada, y el "
            "porcentaje que usamos es distinto. Lo estamos revisando: lo que usted paga puede "
            "cambiar."
        ),
        medicare_no_oop=(
            "El Medicare Original no tiene un límite anual de lo que usted paga; este cálculo "
            "no usa ninguno."
        ),
        oop_above_limit=(
            "El máximo anual de gastos de bolsillo que tenemos para su plan supera el límite "
            "legal. Lo estamos revisando con su seguro: lo que usted paga podría ser menor."
        ),
        oop_below_deductible=(
            "El máximo de gastos de bolsillo de su plan es menor que su deducible; usted no "
            "pagará más que ese máximo. Estamos revisando estas cantidades con su seguro."
        ),
    ),
}


# --- where a patient letter's figures come from, and what could still change them ------------

MADE_ON: dict[Language, str] = {
    "en": (
        "These figures are from our estimate no. {number}, made on {date}; figures may have "
        "changed since then."
    ),
    "es": (
        "Estas cifras son de nuestro cálculo n.º {number}, hecho el {date}; las cifras pueden "
        "haber cambiado desde entonces."
    ),
}

# readiness findings that matter to the patient (domain/readiness.py Kind), in plain words
READINESS: dict[Language, dict[str, str]] = {
    "en": {
        "site_denied": (
            "Your insurance did not approve these infusions at {site}; it asks for another "
            "place of care, such as {other}. We will talk with you about where to have them "
            "before your visit: the amounts there are different."
        ),
        "site_denied_no_other": (
            "Your insurance did not approve these infusions at {site}. We will talk with you "
            "before your visit."
        ),
        "pa_missing": (
            "Your insurance must approve these infusions in advance, and we have not received "
            "that approval yet. We will ask for it before your visit on {visit}."
        ),
        "pa_other_site": (
            "Your insurance approved these infusions at {other}, not at {site}. We will talk "
            "with you before your visit."
        ),
        "pa_expired": (
            "Your insurance's approval does not cover your visit on {visit}. We will ask for a "
            "new approval before then; this estimate assumes it will be given."
        ),
        "pa_exhausted": (
            "Your insurance approved fewer visits than this estimate covers, up to your visit "
            "before {visit}. We will ask for more; this estimate assumes they will be approved."
        ),
        "verification_due": (
            "We will confirm your benefits with your insurance again before your visit on "
            "{visit}. The amounts may change once we do."
        ),
    },
    "es": {
        "site_denied": (
            "Su seguro no aprobó estas infusiones en {site}; pide otro lugar de atención, como "
            "{other}. Hablaremos con usted antes de su visita sobre dónde recibirlas: allí los "
            "montos son distintos."
        ),
        "site_denied_no_other": (
            "Su seguro no aprobó estas infusiones en {site}. Hablaremos con usted antes de su "
            "visita."
        ),
        "pa_missing": (
            "Su seguro tiene que aprobar estas infusiones por adelantado y todavía no hemos "
            "recibido esa aprobación. La pediremos antes de su visita del {visit}."
        ),
        "pa_other_site": (
            "Su seguro aprobó estas infusiones en {other}, no en {site}. Hablaremos con usted "
            "antes de su visita."
        ),
        "pa_expired": (
            "La aprobación de su seguro no cubre su visita del {visit}. Pediremos una nueva "
            "aprobación antes; este cálculo supone que se dará."
        ),
        "pa_exhausted": (
            "Su seguro aprobó menos visitas de las que cubre este cálculo, hasta la visita "
            "anterior al {visit}. Pediremos más; este cálculo supone que se aprobarán."
        ),
        "verification_due": (
            "Volveremos a confirmar sus beneficios con su seguro antes de su visita del "
            "{visit}. Los montos pueden cambiar cuando lo hagamos."
        ),
    },
}

# a site of care in a patient letter's sentence ("at {site}")
SITE_PHRASES: dict[Language, dict[str, str]] = {
    "en": {
        "hospital_outpatient": "the hospital's outpatient department",
        "infusion_center": "our infusion center",
        "home": "your home",
    },
    "es": {
        "hospital_outpatient": "el departamento ambulatorio del hospital",
        "infusion_center": "nuestro centro de infusión",
        "home": "su casa",
    },
}
