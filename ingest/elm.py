"""European Learning Model v3 (EDC) and Open Badges 3.0 credentials -> credential fields.

ELM documents are deep JSON-LD graphs, but the information the gap analysis needs sits on
a few well-known paths of the learning achievement and its specification. Rather than a
full RDF expansion (which needs the remote @context, and we are offline) the extractor
walks those paths on the compacted JSON that EDC and MyNextID publish. A JAdES-signed file
(``{"payload": "<json>", "signatures": [...]}``) is unwrapped first.

Output: one dict per credential claim, keyed by the ``credentials`` contract fields plus
``learner_id`` (issued credentials identify a learner; that makes the element applicable).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from skillgap.errors import InputError

ESCO_PREFIX = "http://data.europa.eu/esco/"
_ECTS_ID = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
# ISO 639-2 codes of the EU language authority table -> ISO 639-1, as used elsewhere.
_LANG3 = {
    "ENG": "en", "FRA": "fr", "DEU": "de", "SPA": "es", "ITA": "it", "NLD": "nl",
    "POR": "pt", "POL": "pl", "SWE": "sv", "DAN": "da", "FIN": "fi", "EST": "et",
    "LAV": "lv", "LIT": "lt", "SLK": "sk", "SLV": "sl", "CES": "cs", "HUN": "hu",
    "RON": "ro", "BUL": "bg", "HRV": "hr", "ELL": "el", "GLE": "ga", "MLT": "mt",
    "NOR": "no", "ISL": "is",
}  # fmt: skip


def looks_like_credential_jsonld(doc: Any) -> bool:
    """True for an ELM/EDC or Open Badges 3.0 document (or a JAdES wrapper of one)."""
    if isinstance(doc, dict) and isinstance(doc.get("payload"), str) and "signatures" in doc:
        return True
    docs = doc if isinstance(doc, list) else [doc]
    for d in docs:
        if not isinstance(d, dict):
            return False
        types = _as_list(d.get("type"))
        if "VerifiableCredential" in types or "EuropeanDigitalCredential" in types:
            return True
        if "OpenBadgeCredential" in types or "AchievementCredential" in types:
            return True
    return False


class FieldTypeError(ValueError):
    """A field holds a value of a type the standard does not allow there (a record error).

    ``record`` is the credential document it was found in, kept for the quarantine row.
    """

    record: Any = None


def _node(value: Any, name: str) -> dict[str, Any]:
    """The JSON-LD node in ``value``: an object, ``{"id": IRI}`` for a reference given as
    a string, the first node of a list; ``{}`` when absent. Numbers and booleans where a
    node belongs raise ``FieldTypeError`` naming the field."""
    if value is None:
        return {}
    if isinstance(value, list):
        return _node(value[0], name) if value else {}
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        return {"id": value}
    raise FieldTypeError(
        f"field '{name}' must be an object or an IRI, found {type(value).__name__}"
    )


def iter_credentials(
    doc: Any, source_name: str
) -> Iterator[tuple[str, dict[str, Any] | FieldTypeError]]:
    """(record label, fields) for every credential claim in a parsed JSON document.

    Raises ``InputError`` when the document is not an ELM or OB3 credential at all; a
    credential that parses but lacks content is returned with empty fields and left to
    the caller's validation (which quarantines it with a reason). A credential with a
    field of the wrong type comes as a ``FieldTypeError`` in place of its fields.
    """
    if isinstance(doc, dict) and isinstance(doc.get("payload"), str) and "signatures" in doc:
        try:
            doc = json.loads(doc["payload"])
        except json.JSONDecodeError as exc:
            raise InputError(f"{source_name}: signed payload is not valid JSON: {exc.msg}") from exc
    if isinstance(doc, dict) and isinstance(doc.get("@graph"), list):
        doc = doc["@graph"]
    docs = doc if isinstance(doc, list) else [doc]
    for n, d in enumerate(docs, start=1):
        label = f"record {n}"
        if not isinstance(d, dict):
            raise InputError(f"{source_name} {label}: expected a JSON object")
        types = _as_list(d.get("type"))
        if "OpenBadgeCredential" in types or "AchievementCredential" in types:
            try:
                yield label, _open_badge(d)
            except FieldTypeError as exc:
                exc.record = d
                yield label, exc
        elif "EuropeanDigitalCredential" in types or _get(d, "credentialSubject", "hasClaim"):
            claims = _as_list(_get(d, "credentialSubject", "hasClaim"))
            for claim in claims or [{}]:
                try:
                    node = claim if isinstance(claim, dict) else {}
                    yield label, _elm_claim(d, node, len(claims) > 1)
                except FieldTypeError as exc:
                    exc.record = d
                    yield label, exc
        else:
            raise InputError(
                f"{source_name} {label}: not a European Learning Model (EDC) or Open Badges 3.0 "
                f"credential (type {types or 'missing'}); for a catalogue in JSON give a "
                "profile, e.g. --profile generic"
            )


# Helpers ----------------------------------------------------------------------------
def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if isinstance(obj, list):
            obj = obj[0] if obj else None
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def lang_text(value: Any, prefer: str = "en") -> str | None:
    """Text of a language map ({"en": "..."}), a list of them, or a plain string."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = [t for v in value if (t := lang_text(v, prefer))]
        return texts[0] if texts else None
    if isinstance(value, dict):
        if "@value" in value:
            return str(value["@value"])
        if prefer in value:
            return lang_text(value[prefer], prefer)
        for v in value.values():
            t = lang_text(v, prefer)
            if t:
                return t
    return None


def _label(concept: Any) -> str | None:
    if isinstance(concept, list):
        labels = [x for c in concept if (x := _label(c))]
        return "; ".join(dict.fromkeys(labels)) if labels else None
    if not isinstance(concept, dict):
        return lang_text(concept)
    return lang_text(concept.get("prefLabel")) or lang_text(concept.get("title"))


def _last_segment(uri: Any) -> str | None:
    if not isinstance(uri, str) or not uri:
        return None
    return re.split(r"[/#:]", uri.rstrip("/"))[-1] or None


def _organisation(org: Any) -> dict[str, Any]:
    org = org[0] if isinstance(org, list) and org else org
    return org if isinstance(org, dict) else {}


def _country(org: dict[str, Any]) -> str | None:
    for path in (
        ("location", "address", "countryCode", "id"),
        ("address", "countryCode", "id"),
        ("registration", "spatial", "id"),
        ("vatIdentifier", "spatial", "id"),
        ("eIDASIdentifier", "spatial", "id"),
    ):
        code = _last_segment(_get(org, *path))
        if code:
            return code
    return None


def _accreditation(*objs: Any) -> str | None:
    for obj in objs:
        acc = _get(obj, "accreditation")
        if acc:
            label = _label(acc) or lang_text(_get(acc, "title")) or "accreditation stated"
            return f"accreditation: {label}"
    return None


# ELM / EDC --------------------------------------------------------------------------
def _elm_claim(doc: dict[str, Any], claim: dict[str, Any], multi: bool) -> dict[str, Any]:
    spec = _get(claim, "specifiedBy")
    spec = spec[0] if isinstance(spec, list) and spec else (spec or {})
    body = _organisation(_get(claim, "awardedBy", "awardingBody")) or _organisation(
        doc.get("issuer")
    )
    subject = doc.get("credentialSubject") or {}

    outcomes: list[str] = []
    esco: list[str] = []
    for lo in _as_list(_get(spec, "learningOutcome")):
        if not isinstance(lo, dict):
            continue
        text = lang_text(lo.get("title")) or lang_text(lo.get("description"))
        if text:
            outcomes.append(text)
        for skill in _as_list(lo.get("relatedESCOSkill")):
            uri = skill.get("id") if isinstance(skill, dict) else skill
            if isinstance(uri, str) and uri.startswith(ESCO_PREFIX) and uri not in esco:
                esco.append(uri)

    ects = None
    for cp in _as_list(_get(spec, "creditPoint")):
        framework = _node(_get(cp, "framework"), "creditPoint.framework")
        fw_text = f"{framework.get('id', '')} {_label(framework) or ''}"
        if _ECTS_ID in fw_text or "ECTS" in fw_text or "European Credit Transfer" in fw_text:
            ects = _get(cp, "point")
            break

    assessments = [a for a in _as_list(claim.get("provenBy")) if isinstance(a, dict)]
    assessment = "; ".join(
        dict.fromkeys(
            t
            for a in assessments
            if (t := _label(_get(a, "specifiedBy", "dcType")) or lang_text(a.get("title")))
        )
    )
    mode = _label(_get(spec, "mode")) or _label(_get(claim, "influencedBy", "specifiedBy", "mode"))

    qa = _accreditation(spec, body, claim)
    if qa is None and _get(body, "registration", "notation"):
        # No accreditation is stated in the EC samples; the awarding body's legal
        # registration is the only quality-assurance evidence they carry. Recorded as
        # such so a user can tell a proxy from an accreditation.
        qa = f"registered awarding body (legal identifier {_get(body, 'registration', 'notation')})"

    learner = None
    if isinstance(subject, dict) and (
        subject.get("fullName") or subject.get("nationalID") or subject.get("givenName")
    ):
        learner = lang_text(subject.get("fullName")) or str(_get(subject, "nationalID", "notation"))

    lang_code = _last_segment(_get(spec, "language", "id"))
    cred_id = str(doc.get("id") or "")
    if multi and claim.get("id"):
        cred_id = f"{cred_id}#{claim['id']}"
    return {
        "id": cred_id or None,
        "title": lang_text(_get(spec, "title")) or lang_text(claim.get("title")),
        "provider": lang_text(body.get("legalName")) or lang_text(body.get("prefLabel")),
        "country": _country(body),
        "issue_date": doc.get("issued")
        or doc.get("issuanceDate")
        or doc.get("validFrom")
        or _get(claim, "awardedBy", "awardingDate"),
        "learning_outcomes": outcomes,
        "esco_skills": esco,
        "workload_ects": ects,
        "workload_hours": _get(spec, "volumeOfLearning"),
        "eqf_level": _last_segment(_get(spec, "eqfLevel", "id")) or _label(_get(spec, "eqfLevel")),
        "assessment_type": assessment or None,
        "participation_form": mode,
        "quality_assurance": qa,
        "language": _LANG3.get(lang_code or "", lang_code.lower() if lang_code else None),
        "description": lang_text(_get(spec, "description")) or lang_text(claim.get("description")),
        "learner_id": learner,
        "_claim_type": claim.get("type"),
    }


# Open Badges 3.0 --------------------------------------------------------------------
def _open_badge(doc: dict[str, Any]) -> dict[str, Any]:
    subject = _node(doc.get("credentialSubject"), "credentialSubject")
    ach = _node(subject.get("achievement"), "credentialSubject.achievement")
    issuer = ach.get("creator") or doc.get("issuer") or {}
    issuer = issuer if isinstance(issuer, dict) else {"name": issuer}
    alignments = [a for a in _as_list(ach.get("alignment")) if isinstance(a, dict)]
    outcomes = [
        t
        for a in alignments
        if (t := lang_text(a.get("targetDescription")) or lang_text(a.get("targetName")))
    ]
    esco = [
        a["targetUrl"]
        for a in alignments
        if isinstance(a.get("targetUrl"), str) and a["targetUrl"].startswith(ESCO_PREFIX)
    ]
    address = issuer.get("address") or _get(doc, "issuer", "address")
    # an address given as plain text names no country code we could trust
    address = address if isinstance(address, dict) else {}
    learner = None
    if subject.get("identifier") or subject.get("name"):
        learner = "identified (hashed identifier)" if subject.get("identifier") else subject["name"]
    return {
        "id": doc.get("id"),
        "title": lang_text(ach.get("name")) or lang_text(doc.get("name")),
        "provider": lang_text(issuer.get("name")),
        "country": address.get("addressCountryCode") or address.get("addressCountry"),
        "issue_date": doc.get("awardedDate") or doc.get("validFrom") or doc.get("issuanceDate"),
        "learning_outcomes": outcomes,
        "esco_skills": esco,
        # OB 3.0 creditsAvailable: "credit hours or credits"; MicroCredential badges use ECTS.
        "workload_ects": ach.get("creditsAvailable"),
        "workload_hours": None,
        "eqf_level": None,
        "assessment_type": None,
        "participation_form": None,
        "quality_assurance": None,
        "language": ach.get("inLanguage"),
        "description": lang_text(ach.get("description")),
        "learner_id": learner,
        "_claim_type": "Achievement",
    }
