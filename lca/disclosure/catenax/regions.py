"""Country (ISO 3166-1 alpha-2) → UN M49 region or sub-region, as the Catena-X PCF 9.0.0 field
``geographyRegionOrSubregion`` names them (UN Statistics Division, Standard country or area codes for
statistical use, M49). Only the sub-region names the 9.0.0 enumeration has; a country not listed here
is exported as "Global" and the footprint's comment says so.
"""

from __future__ import annotations

_M49 = {
    "Northern America": "US CA BM GL PM",
    "Latin America and the Caribbean": "MX BR AR CL CO PE VE EC BO PY UY GT CR PA CU DO HN NI SV JM TT",
    "Eastern Asia": "CN JP KR KP MN TW HK MO",
    "South-eastern Asia": "ID MY PH SG TH VN MM KH LA BN TL",
    "Southern Asia": "IN PK BD LK NP BT MV AF IR",
    "Central Asia": "KZ UZ TM KG TJ",
    "Western Asia": "TR SA AE IL QA KW OM BH JO LB SY IQ YE GE AM AZ CY",
    "Western Europe": "DE FR NL BE AT CH LU LI MC",
    "Northern Europe": "GB SE NO FI DK IE EE LV LT IS",
    "Eastern Europe": "PL CZ SK HU RO BG RU UA BY MD",
    "Southern Europe": "IT ES PT GR SI HR RS BA ME MK AL MT SM VA AD",
    "Australia and New Zealand": "AU NZ",
    "Northern Africa": "MA DZ TN LY EG SD",
    "Sub-Saharan Africa": "ZA CD ZM ZW NG KE ET GH TZ MZ AO BW NA CI SN CM MG",
}
COUNTRY_REGION = {c: region for region, codes in _M49.items() for c in codes.split()}


def region_of(country: str | None) -> str | None:
    """The M49 sub-region of ``country``; None when unknown (the caller says "Global" and why)."""
    return COUNTRY_REGION.get(country) if country else None
