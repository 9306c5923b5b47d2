"""Philippine regions by their PSGC codes (Philippine Standard Geographic Code, PSA)."""

REGIONS = {
    "0100000000": "Region I (Ilocos Region)",
    "0200000000": "Region II (Cagayan Valley)",
    "0300000000": "Region III (Central Luzon)",
    "0400000000": "Region IV-A (CALABARZON)",
    "0500000000": "Region V (Bicol Region)",
    "0600000000": "Region VI (Western Visayas)",
    "0700000000": "Region VII (Central Visayas)",
    "0800000000": "Region VIII (Eastern Visayas)",
    "0900000000": "Region IX (Zamboanga Peninsula)",
    "1000000000": "Region X (Northern Mindanao)",
    "1100000000": "Region XI (Davao Region)",
    "1200000000": "Region XII (SOCCSKSARGEN)",
    "1300000000": "National Capital Region (NCR)",
    "1400000000": "Cordillera Administrative Region (CAR)",
    "1600000000": "Region XIII (Caraga)",
    "1700000000": "MIMAROPA Region",
    "1800000000": "Negros Island Region (NIR)",
    "1900000000": "Bangsamoro Autonomous Region in Muslim Mindanao (BARMM)",
}

REGION_CHOICES = sorted(REGIONS.items(), key=lambda item: item[0])
