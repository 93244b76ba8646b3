"""Name pools for the demo generator, by origin, in the scripts people use.

Each origin: ISO 3166 country, mother tongue (ISO 639), given names and
family names as (native script, Latin transliteration) pairs.
"""

ORIGINS = {
    "SY": (
        "ar",
        [
            ("محمد", "Mohammad"),
            ("فاطمة", "Fatima"),
            ("أحمد", "Ahmad"),
            ("رنا", "Rana"),
            ("عمر", "Omar"),
            ("ليلى", "Layla"),
            ("يوسف", "Youssef"),
            ("نور", "Nour"),
        ],
        [
            ("الحلبي", "Al-Halabi"),
            ("خوري", "Khoury"),
            ("الأحمد", "Al-Ahmad"),
            ("حداد", "Haddad"),
            ("السيد", "Al-Sayed"),
        ],
    ),
    "AF": (
        "fa",
        [
            ("زهرا", "Zahra"),
            ("علی", "Ali"),
            ("مریم", "Maryam"),
            ("حمید", "Hamid"),
            ("شکیلا", "Shakila"),
            ("فرید", "Farid"),
        ],
        [
            ("احمدی", "Ahmadi"),
            ("رحیمی", "Rahimi"),
            ("حیدری", "Haidari"),
            ("نوری", "Noori"),
        ],
    ),
    "UA": (
        "uk",
        [
            ("Олена", "Olena"),
            ("Андрій", "Andrii"),
            ("Ірина", "Iryna"),
            ("Дмитро", "Dmytro"),
            ("Оксана", "Oksana"),
            ("Богдан", "Bohdan"),
        ],
        [
            ("Шевченко", "Shevchenko"),
            ("Коваленко", "Kovalenko"),
            ("Бондаренко", "Bondarenko"),
            ("Мельник", "Melnyk"),
        ],
    ),
    "ER": (
        "ti",
        [("ሰላም", "Selam"), ("ዳዊት", "Dawit"), ("ሄለን", "Helen"), ("ተስፋይ", "Tesfay")],
        [("ገብረ", "Gebre"), ("ተኽለ", "Tekle"), ("ሃይለ", "Haile")],
    ),
    "BD": (
        "bn",
        [("রহিম", "Rahim"), ("তানিয়া", "Tania"), ("সাকিব", "Sakib")],
        [("হোসেন", "Hossain"), ("আহমেদ", "Ahmed"), ("ইসলাম", "Islam")],
    ),
    "CN": (
        "zh",
        [("伟", "Wei"), ("芳", "Fang"), ("磊", "Lei")],
        [("王", "Wang"), ("李", "Li"), ("陈", "Chen")],
    ),
    "NG": (
        "en",
        [("Chinedu", ""), ("Ngozi", ""), ("Emeka", ""), ("Aisha", "")],
        [("Okafor", ""), ("Adeyemi", ""), ("Bello", "")],
    ),
    "VE": (
        "es",
        [("José", ""), ("María", ""), ("Andrés", ""), ("Lucía", "")],
        [("González", ""), ("Rodríguez", ""), ("Pérez", "")],
    ),
    "MA": (
        "ar",
        [("يوسف", "Youssef"), ("خديجة", "Khadija"), ("إدريس", "Idriss")],
        [("العلوي", "El Alaoui"), ("بناني", "Bennani")],
    ),
    "SN": (
        "wo",
        [("Mamadou", ""), ("Awa", ""), ("Ousmane", "")],
        [("Diop", ""), ("Ndiaye", ""), ("Fall", "")],
    ),
    "PK": (
        "ur",
        [("عائشہ", "Ayesha"), ("بلال", "Bilal")],
        [("خان", "Khan"), ("ملک", "Malik")],
    ),
    "CD": (
        "fr",
        [("Grâce", ""), ("Patrick", ""), ("Josée", "")],
        [("Mbuyi", ""), ("Kabila", ""), ("Tshisekedi", "")],
    ),
}

NATIONALS = {
    "PT": (
        "pt",
        ["João", "Inês", "Tiago", "Beatriz", "Rui", "Conceição"],
        ["Silva", "Gonçalves", "Conceição", "Simões", "Araújo"],
    ),
    "IT": (
        "it",
        ["Giulia", "Niccolò", "Francesca", "Luca", "Gianluca", "Chiara"],
        ["Rossi", "Ferrari", "Esposito", "Romano", "Bianchi", "Caruso"],
    ),
    "DE": (
        "de",
        ["Jürgen", "Sophie", "Lukas", "Anja", "Björn", "Käthe"],
        ["Müller", "Schröder", "Weiß", "Krüger", "Böhm"],
    ),
    "GR": ("el", ["Γιώργος", "Ελένη", "Νίκος"], ["Παπαδόπουλος", "Οικονόμου"]),
    "FR": ("fr", ["Chloé", "Théo", "Léa", "Jérôme"], ["Lefèvre", "Moreau", "Girard"]),
    "SE": ("sv", ["Åsa", "Björn", "Linnéa"], ["Söderberg", "Ström", "Lindqvist"]),
    "BE": ("nl", ["Lotte", "Wouter", "Anaïs"], ["Peeters", "Janssens", "Maes"]),
}

LABS = [
    ("lisbon", "Lisbon Integration Lab", "PT", "Lisboa", "Europe/Lisbon", ["pt", "en"]),
    (
        "turin",
        "Turin Integration Lab",
        "IT",
        "Torino",
        "Europe/Rome",
        ["it", "en", "fr"],
    ),
    (
        "leipzig",
        "Leipzig Integration Lab",
        "DE",
        "Leipzig",
        "Europe/Berlin",
        ["de", "en"],
    ),
    ("athens", "Athens Integration Lab", "GR", "Attica", "Europe/Athens", ["el", "en"]),
    ("lyon", "Lyon Integration Lab", "FR", "Métropole de Lyon", "Europe/Paris", ["fr"]),
    ("malmo", "Malmö Integration Lab", "SE", "Skåne", "Europe/Stockholm", ["sv", "en"]),
    (
        "ghent",
        "Ghent Integration Lab",
        "BE",
        "Oost-Vlaanderen",
        "Europe/Brussels",
        ["nl", "fr"],
    ),
]

PARTNERS = [
    ("housing", "Housing association"),
    ("health", "Community health centre"),
    ("public", "Employment service"),
    ("education", "Language school"),
    ("incubator", "Migrant business incubator"),
    ("community", "Refugee community association"),
    ("legal", "Legal aid clinic"),
    ("ngo", "Food bank and social support"),
    ("employer", "Regional employers' network"),
]

LEGAL_STATUSES = [
    "Asylum seeker",
    "Refugee status",
    "Subsidiary protection",
    "Temporary protection",
    "Other residence permit",
    "Undocumented",
    "EU citizen",
    "National",
]

#: (coordinator, facilitator 1, facilitator 2) per lab, in LABS order.
STAFF_NAMES = [
    [("Carla", "Mendes"), ("Farah", "Haddad"), ("Rui", "Teixeira")],
    [("Giulia", "Bassi"), ("Samir", "Benali"), ("Marco", "Lanza")],
    [("Katrin", "Vogel"), ("Olena", "Petrenko"), ("Jonas", "Richter")],
    [("Eleni", "Papadaki"), ("Yusuf", "Demir"), ("Nikos", "Stavrou")],
    [("Claire", "Morel"), ("Aminata", "Sow"), ("Julien", "Faure")],
    [("Ingrid", "Berg"), ("Hassan", "Ali"), ("Sara", "Lund")],
    [("Els", "De Smet"), ("Karim", "El Idrissi"), ("Pieter", "Claes")],
]
