"""Word lists that company-name matching relies on, kept as data so that a reader can audit them.

All words are lower-case ASCII, as `routing.matching.names` produces them. A policy can extend the
generic words and legal forms (`MatchSettings.extra_generic_words`, `extra_legal_forms`).
"""

from __future__ import annotations

# Words dropped everywhere: they never tell two companies apart.
STOPWORDS: frozenset[str] = frozenset({"the", "and", "of", "und", "et", "y", "der", "die", "das"})
# Particles that join the words of a name and are typed or left out at will, inside a name only
# (`Centre National de la Recherche`; but `De Beers`, `La Poste` keep theirs).
INNER_STOPWORDS: frozenset[str] = frozenset(
    {
        "de", "la", "le", "les", "du", "des", "pour", "en", "au", "aux",  # fr
        "del", "los", "las", "el",  # es
        "della", "dello", "degli", "di", "per",  # it
        "da", "do", "dos", "das",  # pt
        "zur", "zum", "fur", "fuer", "im", "am", "vom",  # de
        "voor", "het", "op", "van",  # nl
        "for", "in", "at", "on",  # en
    }
)  # fmt: skip

# Legal forms that cleanco's list lacks or that appear in transliterated scripts.
EXTRA_LEGAL_FORMS: frozenset[str] = frozenset(
    {
        "publ",
        "ab publ",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "llc",
        "lc",
        "plc",
        "pty",
        "pty ltd",
        "pvt",
        "pvt ltd",
        "pte",
        "sa",
        "sas",
        "sarl",
        "sl",
        "slu",
        "sau",
        "spa",
        "srl",
        "bv",
        "nv",
        "ag",
        "gmbh",
        "kg",
        "ug",
        "se",
        "ohg",
        "ev",
        "kgaa",
        "as",
        "asa",
        "oy",
        "oyj",
        "ab",
        "aps",
        "a/s",
        "kk",
        "yk",
        "gk",
        "kabushiki kaisha",
        "kabushikigaisha",
        "yugen kaisha",
        "godo kaisha",
        "ooo",
        "oao",
        "zao",
        "pao",
        "ao",
        "tov",
        "pat",
        "sp z oo",
        "sro",
        "ae",
        "epe",
        "ike",
        "oe",
        "sdn bhd",
        "bhd",
        "tbk",
        "pt",
        "cv",
        "lp",
        "llp",
        "lllp",
        "pc",
        "pllc",
        "sa de cv",
        "s de rl de cv",
        "sab de cv",
        "ltda",
        "eireli",
        "me",
        "sae",
        "wll",
        "fze",
        "fzco",
        "fzc",
        "fz llc",
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "plc ltd",
        "private limited",
        "public limited company",
        "limited liability company",
        "corp ltd",
        "co ltd",
        "coltd",
        "holding ag",
        "ulc",
        "unlimited",
        "ltee",
        "limitee",
        "inc ltd",
        "sca",
        "scs",
        "snc",
        "gie",
        "bvba",
        "cvba",
        "vof",
        "cooperative",
        "coop",
        "sccl",
        "scrl",
        "aktiengesellschaft",
        "gesellschaft mit beschrankter haftung",
        "societe anonyme",
        "sociedad anonima",
        "sociedade anonima",
        "naamloze vennootschap",
        "besloten vennootschap",
        "societa per azioni",
        "aktiebolag",
        "aksjeselskap",
        "osakeyhtio",
        "spolka akcyjna",
        "public company limited",
        "pcl",
        "pty limited",
        "proprietary limited",
        "sociedad limitada",
        "societe par actions simplifiee",
    }
)

# Legal forms spelled out, in the languages cleanco knows (its own list has mostly the
# abbreviations): `Heineken Besloten Vennootschap` is `Heineken B.V.`. Accents are dropped, as
# names are read.
SPELLED_OUT_LEGAL_FORMS: frozenset[str] = frozenset(
    {
        # Italian
        "societa a responsabilita limitata",
        "societa a responsabilita limitata semplificata",
        "societa in accomandita semplice",
        "societa in accomandita per azioni",
        "societa in nome collettivo",
        "societa cooperativa",
        # Polish
        "spolka z ograniczona odpowiedzialnoscia",
        "spolka akcyjna",
        "spolka komandytowa",
        "spolka komandytowo akcyjna",
        "spolka jawna",
        # Turkish
        "anonim sirketi",
        "limited sirketi",
        # German
        "kommanditgesellschaft",
        "kommanditgesellschaft auf aktien",
        "offene handelsgesellschaft",
        "gesellschaft burgerlichen rechts",
        "gesellschaft buergerlichen rechts",
        "unternehmergesellschaft haftungsbeschrankt",
        "eingetragene genossenschaft",
        # French
        "societe a responsabilite limitee",
        "societe en nom collectif",
        "societe en commandite simple",
        "societe en commandite par actions",
        "societe civile",
        "societe civile immobiliere",
        "societe par actions simplifiee unipersonnelle",
        "entreprise unipersonnelle a responsabilite limitee",
        "societe cooperative",
        # Spanish, Portuguese
        "sociedade limitada",
        "sociedade anonima",
        "sociedade por quotas",
        "sociedad de responsabilidad limitada",
        "sociedad anonima de capital variable",
        "sociedad de responsabilidad limitada de capital variable",
        "sociedad por acciones simplificada",
        "sociedad anonima cerrada",
        "sociedad comanditaria",
        "sociedad limitada unipersonal",
        # Dutch
        "commanditaire vennootschap",
        "vennootschap onder firma",
        "besloten vennootschap met beperkte aansprakelijkheid",
        "naamloze vennootschap",
        "besloten vennootschap",
        # Nordic, Baltic
        "anpartsselskab",
        "aktieselskab",
        "allmennaksjeselskap",
        "julkinen osakeyhtio",
        "aktiebolag",
        "publikt aktiebolag",
        "aktsiaselts",
        "osauhing",
        "akcine bendrove",
        "uzdaroji akcine bendrove",
        "sabiedriba ar ierobezotu atbildibu",
        "akciju sabiedriba",
        # Central and Eastern Europe, Greece
        "spolecnost s rucenim omezenym",
        "akciova spolecnost",
        "spolocnost s rucenim obmedzenym",
        "akciova spolocnost",
        "korlatolt felelossegu tarsasag",
        "reszvenytarsasag",
        "zartkoruen mukodo reszvenytarsasag",
        "societate cu raspundere limitata",
        "societate pe actiuni",
        "drustvo s ogranicenom odgovornoscu",
        "druzba z omejeno odgovornostjo",
        "anonymi etaireia",
        "etaireia periorismenis efthynis",
        # Russian, Ukrainian (transliterated)
        "obshchestvo s ogranichennoy otvetstvennostyu",
        "aktsionernoye obshchestvo",
        "publichnoye aktsionernoye obshchestvo",
        "zakrytoye aktsionernoye obshchestvo",
        "otkrytoye aktsionernoye obshchestvo",
        "tovarystvo z obmezhenoyu vidpovidalnistyu",
        # Japanese, Korean, Chinese (romanised), Indonesian, Malay
        "kabushiki kaisha",
        "yugen kaisha",
        "godo kaisha",
        "gomei kaisha",
        "goshi kaisha",
        "jusik hoesa",
        "chusik hoesa",
        "yuhan hoesa",
        "youxian gongsi",
        "youxian zeren gongsi",
        "gufen youxian gongsi",
        "perseroan terbatas",
        "sendirian berhad",
        "berhad",
        # English
        "limited liability partnership",
        "limited partnership",
        "company limited by guarantee",
        "private limited company",
    }
)

# Legal forms that may stand between two parts of a name (`Heineken AG Brouwerij`, `Heineken
# B.V. Nederland`): only forms that are not also ordinary words or initials of a name.
MIDDLE_LEGAL_FORMS: frozenset[str] = frozenset(
    {"ag", "bv", "nv", "gmbh", "inc", "ltd", "llc", "plc", "srl", "spa", "sarl", "kg", "oyj"}
    | {"bvba", "sprl", "kft", "zrt", "sro", "ooo", "pjsc", "jsc", "gmbhco", "sdn", "bhd"}
)

# Legal forms written before the name in some countries: `OOO Gazprom`, `PT Astra`, `KK Sony`.
LEADING_LEGAL_FORMS: frozenset[str] = frozenset(
    {"ooo", "oao", "zao", "pao", "ao", "tov", "pat", "pt", "cv", "kk", "jsc", "pjsc", "ojsc"}
    | {"sa", "nv", "bv", "gmbh", "spa", "srl", "sarl", "sas", "ltd", "llc"}
)

# Legal forms in non-Latin scripts, removed before transliteration so that they do not glue
# onto the name (`トヨタ自動車株式会社`).
NON_LATIN_LEGAL_FORMS: tuple[str, ...] = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "(株)",
    "（株）",
    "㈱",
    "(有)",
    "（有）",
    "주식회사",
    "(주)",
    "（주）",
    "㈜",
    "유한회사",
    "集团",
    "集團",
)

# Abbreviations people type for the same word; both sides are rewritten to one spelling.
ABBREVIATIONS: dict[str, str] = {
    "intl": "international",
    "acad": "academy",
    "ned": "nederlandse",
    "intnl": "international",
    "internat": "international",
    "mfg": "manufacturing",
    "mfrs": "manufacturing",
    "manuf": "manufacturing",
    "tech": "technology",
    "technologies": "technology",
    "techs": "technology",
    "svc": "services",
    "svcs": "services",
    "service": "services",
    "serv": "services",
    "sys": "systems",
    "system": "systems",
    "natl": "national",
    "nat": "national",
    "assoc": "association",
    "assn": "association",
    "bros": "brothers",
    "bro": "brothers",
    "grp": "group",
    "hldg": "holdings",
    "hldgs": "holdings",
    "holding": "holdings",
    "mgmt": "management",
    "mgt": "management",
    "lab": "labs",
    "laboratory": "labs",
    "laboratories": "labs",
    "pharma": "pharmaceuticals",
    "pharm": "pharmaceuticals",
    "pharmaceutical": "pharmaceuticals",
    "univ": "university",
    "inst": "institute",
    "dept": "department",
    "ctr": "center",
    "centre": "center",
    "cntr": "center",
    "med": "medical",
    "comm": "communications",
    "comms": "communications",
    "communication": "communications",
    "telecom": "telecommunications",
    "eng": "engineering",
    "engg": "engineering",
    "engr": "engineering",
    "elec": "electric",
    "inds": "industries",
    "ind": "industries",
    "industry": "industries",
    "amer": "american",
    "mktg": "marketing",
    "fin": "financial",
    "finl": "financial",
    "ins": "insurance",
    "dev": "development",
    "prod": "products",
    "prods": "products",
    "dist": "distribution",
    "distr": "distribution",
    "solns": "solutions",
    "solution": "solutions",
    "sols": "solutions",
    "mt": "mount",
    "ft": "fort",
    "ent": "entertainment",
    "entmt": "entertainment",
    "chem": "chemicals",
    "chemical": "chemicals",
    "elect": "electronics",
    "electronic": "electronics",
    "equip": "equipment",
    "constr": "construction",
    "cnstr": "construction",
    "invest": "investments",
    "inv": "investments",
    "investment": "investments",
    "prop": "properties",
    "props": "properties",
    "assocs": "associates",
    "ptnrs": "partners",
    "ptrs": "partners",
    "partner": "partners",
    "resrch": "research",
    "rsch": "research",
    "auto": "automotive",
    "hlth": "health",
    "hosp": "hospital",
    "sq": "square",
    "pk": "park",
    "ave": "avenue",
    "blvd": "boulevard",
    "hts": "heights",
    "fam": "family",
    "educ": "education",
    "ltd": "limited",
    "jr": "junior",
    # a legal form inside a name, where it is a word of the name (`Packaging Corp. of America`)
    "corp": "corporation",
    "co": "company",
    **{
        # the same word in the languages of the legal forms (`Technische Universiteit Delft` is
        # `Delft University of Technology`, `Universität Zürich` the `University of Zurich`)
        word: english
        for english, words in {
            "university": "universiteit universitat universitaet universite universidad "
            "universidade universita",
            "technology": "technische technisch technik technique techniques technologie "
            "tecnologia tecnica tecnico technical",
            "institute": "institut instituto istituto instituut",
            "center": "centre centro zentrum centrum",
            "labs": "laboratoire laboratoires laboratorio laboratorios laboratorium",
            "international": "internationale internacional internazionale internationaal",
            "national": "nationale nacional nazionale nationaal",
        }.items()
        for word in words.split()
    },
}

# Words that may trail a company's name without making it another company:
# places (`Apple UK`, `Siemens Deutschland`) …
GEO_QUALIFIERS: frozenset[str] = frozenset(
    {
        "international",
        "global",
        "worldwide",
        "world",
        "usa",
        "us",
        "america",
        "americas",
        "north",
        "uk",
        "gb",
        "britain",
        "england",
        "europe",
        "european",
        "eu",
        "emea",
        "apac",
        "asia",
        "pacific",
        "latam",
        "latin",
        "canada",
        "mexico",
        "brasil",
        "brazil",
        "argentina",
        "chile",
        "colombia",
        "peru",
        "deutschland",
        "germany",
        "de",
        "france",
        "fr",
        "italia",
        "italy",
        "espana",
        "spain",
        "es",
        "portugal",
        "nederland",
        "netherlands",
        "nl",
        "belgium",
        "belgique",
        "benelux",
        "schweiz",
        "suisse",
        "switzerland",
        "austria",
        "osterreich",
        "sverige",
        "sweden",
        "norge",
        "norway",
        "danmark",
        "denmark",
        "suomi",
        "finland",
        "nordic",
        "nordics",
        "polska",
        "poland",
        "ireland",
        "israel",
        "india",
        "japan",
        "jp",
        "china",
        "cn",
        "korea",
        "singapore",
        "australia",
        "au",
        "anz",
        "nz",
        "zealand",
        "africa",
        "sa",
        "za",
        "me",
        "mena",
        "middle",
        "east",
        "gulf",
        "uae",
        "dubai",
        "hk",
        "hong",
        "kong",
        "taiwan",
        "turkey",
        "russia",
        "rus",
        "greece",
        "hellas",
        "czech",
        "hungary",
        "romania",
        "ukraine",
        "philippines",
        "indonesia",
        "malaysia",
        "thailand",
        "vietnam",
        "usa inc",
    }
)

# … or business units (`IBM Consulting`, `Google Cloud`, `Willow Retail Group`).
UNIT_QUALIFIERS: frozenset[str] = frozenset(
    {
        "group",
        "holdings",
        "consulting",
        "cloud",
        "services",
        "solutions",
        "company",
        "companies",
        "enterprises",
        "division",
        "subsidiary",
        "branch",
        "office",
        "hq",
        "headquarters",
        "corporate",
        "inc",
        "digital",
        "online",
    }
)

# Words so common in company names that sharing one of them says nothing
# (`Apple Leisure Group` vs `Apple Inc.`, `General Mills` vs `General Electric`).
_GENERIC_WORDS_TEXT = """
    a about above academy access accounting acme action active adaptive advance advanced
    advantage adventure advisors advisory aero aerospace affinity agency agri agriculture air
    airlines airways alliance allied alpha alpine altitude amber america american americas
    analytics anchor angel apex apollo apple applied aqua arc arch arctic arrow art arts asia
    aspen asset assets associated associates association atlantic atlas aurora auto
    automation automotive avenue aviation axis bakery balance bank banking banks bay beacon
    bear bell best beta big bio biotech birch black blue bluebird boston bridge bright
    broad brothers builders building business butterfly cafe california canyon capital
    cardinal care career cargo cascade castle cedar center central century chain champion
    chemicals cherry chicago circle citizens city classic clean clear clinic cloud coast
    coastal cobalt college commerce commercial common community compass complete concept
    connect consolidated construction consulting consumer continental core corner cosmos
    country county creative crest crown crystal cyber data dental design development
    diamond digital direct discovery diversified dragon dream dynamic dynamics eagle earth
    east eastern eco edge education electric electronics elite emerald empire energy
    engineering enterprise enterprises environmental equity evergreen excel excellence
    executive express fairway faith falcon family farm farms fashion federal fidelity
    financial first fitness five flex focus food foods force forest fortune forward
    foundation four fox freedom fresh frontier fund future galaxy garden gate gateway
    general generation genesis giant glacier global globe gold golden good granite graphics
    great green grid group growth guardian gulf harbor harmony harvest hawk health
    healthcare heart heritage hero high highland hill holdings home horizon hospital
    hospitality house hub human ideal impact imperial independent industrial industries
    infinity information infrastructure innovation innovations innovative insight
    insurance integrated integrity intelligence interactive international invest
    investment investments iron island jade jet jewel joint juniper key keystone king
    kingdom lake land laser leader leaders leadership learning legacy legal leisure liberty
    life light lighting line link lion logic logistics lotus lumen luxury machine
    machines magic magnolia main majestic management manufacturing maple marine market
    marketing master materials matrix media medical mega mercury meridian metal metro
    micro midwest millennium mills mind mobile modern monarch motor motors mountain
    mutual national nature network networks new next noble north northern northstar nova
    oak oasis ocean omega one online open optimum orange orbit orchid organic origin pacific
    paper paragon park partner partners peak pearl people performance phoenix pilot pine
    pinnacle pioneer pixel planet platinum plus point polar power precision premier premium
    prestige prime pro professional progress progressive project properties prospect pure
    quality quantum quartz quest radiant rainbow rapid real realty red redwood regional
    reliable reliance renaissance research resource resources retail rich ridge river road
    rock rocky royal sage saint sales sapphire science sciences security select service
    services shield sierra signature silver simple sky smart social software solar solid
    solution solutions sound source south southern sovereign spark spectrum sphere spirit
    sports spring square standard star state steel sterling stone strategic strategy
    summit sun sunrise sunset superior supply sustainable swift synergy systems tech
    technical technologies technology terra the three tiger titan top total tower trade
    trading trans travel trend tri trinity trust two ultra union unique united universal
    urban valley value vanguard vantage velocity venture ventures vertex victory view
    village vision vista vital wave way wealth west western white wild willow wind wing
    wireless wolf wood works world worldwide zenith zephyr zone delta
    oracle amazon shell target alphabet meta square block visa dove jaguar puma corona subway
    virgin gap mustang mars windows office polo guess caterpillar monster tide dial sharp
    brother canon continental
"""
# Words of institutions' names (`Institut National de la Recherche`, `Board of Regents of the
# University of Florida`), in the languages of the legal forms, and the US states: shared by two
# names that each have words of their own, they say nothing of which institution (while the
# whole of `Centre National de la Recherche Scientifique` still names one).
_INSTITUTION_WORDS_TEXT = """
institute institutes institut instituto istituto instituut
university universities universite universitat universitaet universiteit universidad
universidade universita hochschule school schools
board regents trustees governors government ministry ministere ministerio secretary
department departement commonwealth administration authority council
centre centro zentrum centrum laboratories laboratory laboratoire laboratorio
recherche recherches scientifique scientifiques nationale nacional nazionale
forschung wissenschaften stiftung fondation fundacion fundacao fondazione
alabama alaska arizona arkansas colorado connecticut delaware florida georgia hawaii idaho
illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan
minnesota mississippi missouri montana nebraska nevada jersey mexico york carolina dakota
ohio oklahoma oregon pennsylvania rhode tennessee texas utah vermont virginia washington
wisconsin wyoming
"""
GENERIC_WORDS: frozenset[str] = frozenset(_GENERIC_WORDS_TEXT.split())
# as names hold them: read through the short and foreign forms (`Laboratoire` is `labs`)
INSTITUTION_WORDS: frozenset[str] = frozenset(
    ABBREVIATIONS.get(word, word) for word in _INSTITUTION_WORDS_TEXT.split()
)

# Common words of company names in the languages of the legal forms, besides the generic ones:
# the words a name is typed with in short (`Int.`, `Mij.`, `Ges.`, `Cie`), never its own brand.
_SHORTENED_WORDS_TEXT = """
    maatschappij maatschappijen nederland nederlandse nederlandsche internationaal
    internationale groep beheer handel handelmaatschappij industrie techniek technische bouw
    diensten verzekeringen fabriek fabrieken vereniging stichting centrale algemene
    koninklijke onderzoek ontwikkeling machinefabriek scheepvaart exploitatie
    gesellschaft gruppe deutsche deutschland technik bau dienste versicherung versicherungen
    maschinenbau werke werk elektro chemie vertrieb verwaltung beteiligungs forschung
    entwicklung fabrik aktiengesellschaft
    societe compagnie groupe francaise france technique techniques generale nationale banque
    assurances developpement recherche etablissements manufacture
    sociedad compania companhia grupo espanola internacional industrias servicios servicos
    tecnica tecnologia banco seguros construcciones construcoes nacional
    societa compagnia gruppo italiana internazionale servizi costruzioni nazionale
    corporation company incorporated limited laboratories laboratory instruments products
    department association brothers manufacturers chemical pharmaceutical pharmaceuticals
    organisatie organisation organization organizacion organizzazione organisme university institute
"""
COMPANY_WORDS: frozenset[str] = frozenset(_SHORTENED_WORDS_TEXT.split())
SHORTENED_WORDS: frozenset[str] = GENERIC_WORDS | COMPANY_WORDS

# What people type when they have no company.
PLACEHOLDER_COMPANIES: frozenset[str] = frozenset(
    {
        "",
        "na",
        "n/a",
        "none",
        "nil",
        "null",
        "self",
        "selfemployed",
        "self employed",
        "personal",
        "private",
        "individual",
        "student",
        "unknown",
        "test",
        "home",
        "freelance",
        "freelancer",
        "retired",
        "unemployed",
        "nocompany",
        "no company",
        "x",
        "xx",
        "xxx",
        "company",
        "notprovided",
        "not provided",
        "tbd",
    }
)

# Websites on shared platforms say nothing about which company a lead's email belongs to.
PLATFORM_DOMAINS: frozenset[str] = frozenset(
    {
        "facebook.com",
        "linkedin.com",
        "instagram.com",
        "twitter.com",
        "x.com",
        "youtube.com",
        "tiktok.com",
        "wixsite.com",
        "wordpress.com",
        "blogspot.com",
        "squarespace.com",
        "godaddysites.com",
        "weebly.com",
        "sites.google.com",
        "github.io",
        "yelp.com",
        "bit.ly",
        "linktr.ee",
        "example.com",
    }
)
