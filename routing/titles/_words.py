"""The words that job titles are read by, kept as data so that a reader can audit them.

Phrases are written as people type them, with accents and small words ("directeur des systèmes
d'information"); `routing.titles` folds them exactly as it folds a title (ASCII, lower case,
small words such as "of", "de", "der" dropped), so a phrase here matches however it is typed.
Within one string, phrases are separated by commas.

Conventions the lists encode (the evaluation set is labelled by the same ones):
- Seniority is the highest level the title names: "Director & Co-founder" is c_level.
- "Account/Product/Project Manager" and their kin manage no people: ic.
- A managing, executive or general director (MD, "Directeur général", "Geschäftsführer")
  is c_level; "General Manager" and "Country Manager" are director; "Head of" is director.
- Coordinators are ic in English, French and German, managers in Spanish and Portuguese
  (coordinador/coordenador lead a team in Latin America and Iberia).
- Product is engineering (R&D); customer success is sales; marketing/sales operations
  are revops; payroll is hr; procurement and supply chain are operations.
"""

from __future__ import annotations

C_LEVEL = "c_level"
VP = "vp"
DIRECTOR = "director"
MANAGER = "manager"
IC = "ic"
STUDENT = "student"
UNKNOWN = "unknown"

SENIORITY_RANKS: dict[str, int] = {
    C_LEVEL: 6,
    VP: 5,
    DIRECTOR: 4,
    MANAGER: 3,
    IC: 2,
    STUDENT: 1,
    UNKNOWN: 0,
}

IT = "it"
ENGINEERING = "engineering"
DATA = "data"
SECURITY = "security"
MARKETING = "marketing"
SALES = "sales"
REVOPS = "revops"
FINANCE = "finance"
HR = "hr"
OPERATIONS = "operations"
LEGAL = "legal"
EXECUTIVE = "executive"
OTHER = "other"

FUNCTIONS: tuple[str, ...] = (
    IT,
    ENGINEERING,
    DATA,
    SECURITY,
    MARKETING,
    SALES,
    REVOPS,
    FINANCE,
    HR,
    OPERATIONS,
    LEGAL,
    EXECUTIVE,
    OTHER,
)

LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "pt")

# Dropped before phrases are matched: they join words but never decide anything.
_STOPWORDS_TEXT = """
    a al au aux da das de del dem den der des di die do dos du d el em en for fur im in l la las
    le les lo los na nas no nos o of para par pour the to u vom von zum zur with w fuer
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS_TEXT.split())

# "and" in any language reads as "&": a phrase may span it only when it is listed with it
# ("Forschung und Entwicklung"), so "IT and Security" stays two functions.
CONJUNCTIONS: frozenset[str] = frozenset({"and", "und", "et", "y", "e", "&"})

# Operations and executive words name a function only when nothing more specific does:
# "Operations" alone, but "Sales Operations" is revops and "Founder, Head of Product" is
# engineering.
GENERAL_WORDS: str = """
    operations, operation, operating, administration, delivery, planning, site, technology,
    technologies, tecnología, tecnologia, technologie, systems, system, sistemas, information
"""

# After one of these, a title such as CEO names someone else: "Assistant to the CEO".
_REFERENCE_MARKERS_TEXT = "to for au aux du del al do da der dem zum zur reporting"
REFERENCE_MARKERS: frozenset[str] = frozenset(_REFERENCE_MARKERS_TEXT.split())

# One typed word → the word it stands for, applied before phrases are matched.
ABBREVIATIONS: dict[str, str] = {
    "sr": "senior",
    "snr": "senior",
    "sen": "senior",
    "jr": "junior",
    "jnr": "junior",
    "dir": "director",
    "dirs": "director",
    "mgr": "manager",
    "mngr": "manager",
    "mgmt": "management",
    "mgt": "management",
    "ops": "operations",
    "op": "operations",
    "mktg": "marketing",
    "mkt": "marketing",
    "mkting": "marketing",
    "acct": "account",
    "accts": "accounts",
    "exec": "executive",
    "execs": "executive",
    "biz": "business",
    "svc": "services",
    "svcs": "services",
    "sys": "systems",
    "admin": "administrator",
    "eng": "engineer",
    "engr": "engineer",
    "engg": "engineering",
    "dev": "developer",
    "devs": "developer",
    "info": "information",
    "assoc": "associate",
    "asst": "assistant",
    "coord": "coordinator",
    "spec": "specialist",
    "rep": "representative",
    "reps": "representative",
    "pres": "president",
    "sw": "software",
    "hw": "hardware",
    "fin": "finance",
    "tech": "technology",
    "intl": "international",
    "corp": "corporate",
    "gf": "geschäftsführer",
    "resp": "responsable",
    "gte": "gerente",
    "ing": "ingeniero",
    "dipl": "diplom",
    "cust": "customer",
    "ent": "enterprise",
    "hd": "head",
    "comms": "communications",
    "analytic": "analytics",
}

# Typed shorthands that tokenising would break apart: r&d would lose its "d" to French d'.
JOINED_SHORTHANDS: dict[str, str] = {
    "r&d": "rnd",
    "r & d": "rnd",
    "i+d": "rnd",
    "p&d": "rnd",
    "f&e": "fue",
    "fp&a": "fpa",
    "l&d": "lnd",
    "m&a": "mna",
    "p&l": "pnl",
    "c-level": "clevel",
    "c-suite": "csuite",
    "e-commerce": "ecommerce",
    "dev-ops": "devops",
    "co-founder": "cofounder",
    "co-fondateur": "cofondateur",
    "co-fondatrice": "cofondatrice",
    "co-fundador": "cofundador",
    "co-fundadora": "cofundadora",
    "co-owner": "coowner",
}

# --- seniority --------------------------------------------------------------------------------
# language → seniority → phrases. A phrase may also name a function (below): "cto" does both.

SENIORITY_WORDS: dict[str, dict[str, str]] = {
    "en": {
        C_LEVEL: """
            ceo, cfo, cto, cio, ciso, cmo, coo, cro, cdo, cpo, chro, cco, cso, cxo, caio, cao,
            cio/cto, chief, chief executive, chief executive officer, founder, cofounder, co
            founder, founding partner, owner, coowner, co owner, business owner, president, managing
            director, md, executive director, managing partner, partner, senior partner, equity
            partner, chairman, chairwoman, chairperson, chair, board member, member board, board
            director, non executive director, clevel, c level, csuite, c suite, proprietor,
            entrepreneur, principal owner, general partner, deputy ceo, secretary general, governor
        """,
        VP: """
            vp, vice president, svp, evp, avp, gvp, rvp, senior vice president, executive vice
            president, assistant vice president, group vice president, regional vice president, area
            vice president, vice-president, vicepresident, vice chair, vice chairman
        """,
        DIRECTOR: """
            director, senior director, associate director, head, department head, head department,
            general manager, gm, country manager, chief staff, principal director, group director,
            regional director, account director, creative director, art director, technical
            director, site director, plant director, global head, headteacher, headmaster,
            headmistress, school principal, rector, dean, provost, vice chancellor, chancellor
        """,
        MANAGER: """
            manager, senior manager, supervisor, team lead, team leader, group lead, group leader,
            leader, foreman, forewoman, superintendent, section head, regional manager, area
            manager, store manager, office manager, branch manager, shift lead, shift supervisor,
            squad lead, chapter lead, engineering lead
        """,
        IC: """
            engineer, developer, programmer, analyst, consultant, specialist, associate,
            representative, executive, administrator, architect, scientist, designer, accountant,
            bookkeeper, recruiter, coordinator, officer, agent, advisor, adviser, technician,
            writer, strategist, planner, buyer, clerk, auditor, controller, comptroller, counsel,
            attorney, lawyer, paralegal, researcher, tester, marketer, sdr, bdr, ae, member
            technical staff, mts, staff, contributor, individual contributor, coder, modeller, swe,
            sde, expert, evangelist, advocate, instructor, trainer, teacher, professor, lecturer,
            fellow, product owner, scrum master, account manager, key account manager, product
            manager, project manager, program manager, programme manager, customer success manager,
            territory manager, community manager, social media manager, partner manager, channel
            manager, relationship manager, case manager, account executive, sales executive, sales
            representative, junior, tech lead, technical lead, operator, business partner, people
            partner, sourcer, generalist, steward, owner process, process owner, dba, sysadmin, data
            steward, modeler, statistician, economist, actuary, underwriter, technologist, devops
            engineer, sre, hacker, pentester, copywriter, editor, producer, investigator, inspector,
            secretary, receptionist, employee, graduate, apprentice engineer, solutions engineer,
            solutions architect, solutions consultant, sales engineer, customer success, success
            manager
        """,
        STUDENT: """
            student, intern, internship, trainee, working student, graduate student, phd candidate,
            phd student, doctoral candidate, co op, coop student, apprentice, summer intern,
            undergraduate, undergrad, masters student, mba candidate
        """,
    },
    "fr": {
        C_LEVEL: """
            pdg, dg, directeur général, directrice générale, directeur général adjoint, directrice
            générale adjointe, président, présidente, président directeur général, fondateur,
            fondatrice, cofondateur, cofondatrice, gérant, gérante, associé, associée, associé
            gérant, dirigeant, dirigeante, chef d'entreprise, membre du directoire, président du
            directoire, gouverneur, gouverneure
        """,
        VP: "vice-président, vice-présidente, vice président, vice présidente",
        DIRECTOR: """
            directeur, directrice, directeur adjoint, directrice adjointe, sous-directeur,
            sous-directrice, daf, drh, dsi, directeur administratif et financier, chef de
            département, chef de pôle, recteur, rectrice, doyen, doyenne, proviseur, proviseure
        """,
        MANAGER: """
            responsable, chef d'équipe, chef de service, chef, cheffe, encadrant, encadrante,
            superviseur, superviseuse, manageur, manageuse, chef de rayon, chef d'atelier, rssi,
            contremaître, contremaîtresse, maître d'hôtel
        """,
        IC: """
            ingénieur, ingénieure, développeur, développeuse, analyste, consultante, chargé,
            chargée, chargé d'affaires, chargée d'affaires, technicien, technicienne, commercial,
            commerciale, assistante, chef de projet, cheffe de projet, chef de produit, cheffe de
            produit, comptable, juriste, avocat, avocate, acheteur, acheteuse, conseiller,
            conseillère, attaché, attachée, gestionnaire, architecte, administrateur,
            administratrice, employé, employée, contrôleur, contrôleuse, contrôleur de gestion,
            auditrice, recruteur, recruteuse, ingénieur commercial, ingénieure commerciale,
            technico-commercial, collaborateur, collaboratrice, secrétaire, opérateur, opératrice,
            rédacteur, rédactrice
        """,
        STUDENT: """
            stagiaire, stage, alternant, alternante, alternance, apprenti, apprentie, étudiant,
            étudiante, doctorant, doctorante
        """,
    },
    "de": {
        C_LEVEL: """
            geschäftsführer, geschäftsführerin, geschäftsführender gesellschafter, geschäftsführende
            gesellschafterin, gesellschafter, gesellschafterin, inhaber, inhaberin, gründer,
            gründerin, mitgründer, mitgründerin, mitbegründer, vorstand, vorstandsvorsitzender,
            vorstandsvorsitzende, vorstandsmitglied, vorsitzender, vorsitzende, geschäftsleitung,
            geschäftsleiter, geschäftsleiterin, unternehmer, unternehmerin, firmeninhaber,
            aufsichtsrat, vorstandssprecher
        """,
        VP: "vizepräsident, vizepräsidentin",
        DIRECTOR: """
            direktor, direktorin, leiter, leiterin, leitung, bereichsleiter, bereichsleiterin,
            abteilungsleiter, abteilungsleiterin, hauptabteilungsleiter, prokurist, prokuristin,
            werksleiter, werksleiterin, niederlassungsleiter, niederlassungsleiterin,
            standortleiter, standortleiterin, betriebsleiter, betriebsleiterin,
            bereichsverantwortlicher, rektor, rektorin, dekan, dekanin, schulleiter, schulleiterin
        """,
        MANAGER: """
            teamleiter, teamleiterin, teamleitung, gruppenleiter, gruppenleiterin, gruppenleitung,
            managerin, fachgruppenleiter, schichtleiter, schichtleiterin, referatsleiter,
            referatsleiterin, vorarbeiter, meister, meisterin, filialleiter, filialleiterin,
            verantwortlicher, verantwortliche, chefin, polier, polierin, vorarbeiterin
        """,
        IC: """
            entwickler, entwicklerin, ingenieur, ingenieurin, berater, beraterin, referent,
            referentin, sachbearbeiter, sachbearbeiterin, mitarbeiter, mitarbeiterin, spezialist,
            spezialistin, analystin, architekt, architektin, administratorin, assistent,
            assistentin, koordinator, koordinatorin, projektleiter, projektleiterin, projektmanager,
            projektmanagerin, produktmanager, produktmanagerin, techniker, technikerin, kaufmann,
            kauffrau, fachkraft, buchhalter, buchhalterin, einkäufer, einkäuferin, jurist, juristin,
            rechtsanwalt, rechtsanwältin, syndikus, programmierer, programmiererin, informatiker,
            informatikerin, wissenschaftler, wissenschaftlerin, controllerin, sekretär, sekretärin,
            beauftragter, beauftragte, experte, expertin, kundenberater, kundenberaterin, verkäufer,
            verkäuferin, key accounter, planer, planerin, diplom ingenieur, hausmeister,
            hausmeisterin, bürgermeister, bürgermeisterin
        """,
        STUDENT: """
            werkstudent, werkstudentin, praktikant, praktikantin, auszubildender, auszubildende,
            azubi, studentin, trainee, doktorand, doktorandin, dualer student, duale studentin
        """,
    },
    "es": {
        C_LEVEL: """
            director general, directora general, director ejecutivo, directora ejecutiva, consejero
            delegado, consejera delegada, presidente, presidenta, fundador, fundadora, cofundador,
            cofundadora, socio, socia, socio director, socia directora, socio fundador, dueño,
            dueña, propietario, propietaria, gerente general, director gerente, directora gerente,
            empresario, empresaria, gobernador, gobernadora
        """,
        VP: "vicepresidente, vicepresidenta, vice presidente, vice presidenta",
        DIRECTOR: """
            directora, subdirector, subdirectora, director de área, directora de área, rector,
            rectora, decano, decana
        """,
        MANAGER: """
            gerente, jefe, jefa, encargado, encargada, supervisora, coordinador, coordinadora, lider
            de equipo, jefe de equipo, jefa de equipo, capataz, maître d'hôtel
        """,
        IC: """
            ingeniero, ingeniera, desarrollador, desarrolladora, programador, programadora,
            analista, consultor, consultora, especialista, técnico, técnica, asesor, asesora,
            ejecutivo, ejecutiva, ejecutivo de cuentas, ejecutiva de cuentas, vendedor, vendedora,
            contador, contadora, contable, abogado, abogada, asistente, auxiliar, administrativo,
            administrativa, representante, agente, comprador, compradora, arquitecto, arquitecta,
            científico, científica, administrador, administradora, diseñador, diseñadora,
            reclutador, reclutadora, investigador, investigadora, gestor, gestora, jefe de proyecto,
            jefa de proyecto, jefe de producto, jefa de producto, product owner, secretaria,
            secretario
        """,
        STUDENT: """
            becario, becaria, practicante, pasante, estudiante, en prácticas, prácticas, aprendiz
        """,
    },
    "pt": {
        C_LEVEL: """
            diretor geral, diretora geral, diretor executivo, diretora executiva, diretor
            presidente, diretora presidente, fundadora, cofundadora, sócio, sócia, sócio diretor,
            sócia diretora, sócio fundador, proprietário, proprietária, dono, dona, empresário,
            empresária, conselheiro, conselheira, governador, governadora
        """,
        VP: "vice-presidente, vice presidenta",
        DIRECTOR: """
            diretor, diretora, superintendente, diretor adjunto, diretora adjunta, reitor, reitora
        """,
        MANAGER: """
            coordenador, coordenadora, supervisor de equipe, encarregado, encarregada, chefe,
            mestre, supervisora, gestor de equipe, lider tecnico, contramestre, capataz, mestre de
            obras, maître d'hôtel
        """,
        IC: """
            engenheiro, engenheira, desenvolvedor, desenvolvedora, assistente, executivo de contas,
            executiva de contas, executivo de vendas, executiva de vendas, executivo comercial,
            executiva comercial, advogado, advogada, assessor, assessora, arquiteto, arquiteta,
            cientista, projetista, recrutador, recrutadora, pesquisador, pesquisadora, comprador,
            gerente de projetos, gerente de projeto, gerente de produto, gerente de contas,
            consultor comercial, consultora comercial, executivo, executiva
        """,
        STUDENT: "estagiário, estagiária, estudante, aprendiz, jovem aprendiz, estágio",
    },
}

# --- functions ----------------------------------------------------------------------------------
# language → function → phrases that name the function outright ("sales", "Vertrieb").

FUNCTION_WORDS: dict[str, dict[str, str]] = {
    "en": {
        IT: """
            it, information technology, information systems, information services, cio, it
            operations, infrastructure, infra, network, networks, networking, systems, sysadmin,
            systems administrator, system administrator, network administrator, database
            administrator, dba, helpdesk, help desk, service desk, desktop support, technical
            support, it support, end user computing, cloud, erp, sap, servicenow, itsm, noc,
            telecom, telecommunications, technology, information, enterprise architect, enterprise
            architecture, cloud architect, cloud engineer, systems engineer, network engineer,
            applications, edp, mis, ict, collaboration, workplace technology, end user, it asset,
            business systems, platform operations, technical operations, techops, itops, support
            technician, it technician, computer technician
        """,
        ENGINEERING: """
            engineering, software, software engineer, software engineering, software development,
            development, programming, devops, site reliability, reliability engineering, qa, quality
            assurance, test engineer, tester, testing, test automation, frontend, front end,
            backend, back end, full stack, fullstack, firmware, embedded, hardware, rnd, research
            and development, product, products, cto, chief technology officer, platform engineering,
            devops engineer, sre, scrum master, product owner, product manager, product management,
            mechanical, electrical, ux engineer, release, build, engineer manager, engineering
            manager, architecture, software architect, principal engineer, staff engineer, r&d,
            ux, ui, user experience, user interface, ux designer, ui designer, ux design,
            interaction design, interaction designer, usability
        """,
        DATA: """
            data, data science, data scientist, data engineer, data engineering, data analyst, data
            analytics, analytics, bi, business intelligence, machine learning, ml, ai, artificial
            intelligence, statistics, statistician, big data, data platform, data architect, data
            governance, insights, reporting, mlops, dataops, data warehouse, dwh, etl, data
            management, cdo, chief data officer, data operations, business analyst, quantitative,
            quant, deep learning, nlp, computer vision, data quality, data steward, databases,
            database, decision science, analytics engineer, measurement, research analyst
        """,
        SECURITY: """
            security, information security, infosec, cybersecurity, cyber security, cyber, ciso, it
            security, soc, appsec, application security, devsecops, secops, security operations,
            iam, identity and access management, identity, grc, penetration tester, pentester,
            threat, vulnerability, incident response, network security, cloud security, product
            security, trust and safety, csirt, forensics, it risk, cyber risk
        """,
        MARKETING: """
            marketing, marketer, brand, branding, communications, communication, pr, public
            relations, content, seo, sem, demand generation, demand gen, growth, digital marketing,
            product marketing, events, event, social media, campaign, campaigns, advertising, cmo,
            media, creative, copywriter, copywriting, lifecycle, crm marketing, field marketing,
            partner marketing, corporate communications, abm, account based marketing, performance
            marketing, paid media, acquisition, community, influencer, art director, creative
            director, editorial, marketing communications, marcom, press, merchandising, market
            research
        """,
        SALES: """
            sales, selling, account executive, ae, sdr, bdr, business development, bizdev, bd,
            inside sales, field sales, key account, key accounts, account manager, account
            management, account director, channel, channels, partnerships, partnership, alliances,
            alliance, commercial, pre sales, presales, sales engineer, solutions engineer, solutions
            architect, solutions consultant, customer success, revenue, cro, chief revenue officer,
            new business, enterprise accounts, territory, territory manager, retail sales,
            wholesale, sales representative, sales executive, ecommerce, commerce, partner manager,
            partner sales, channel partner, relationship manager, customer success manager, success
            manager, client services, client success, account, accounts, customer experience,
            business developer, deal, dealer, franchise, customer engagement, buyer success
        """,
        REVOPS: """
            revenue operations, revops, rev ops, sales operations, salesops, gtm operations, go
            market operations, marketing operations, marketing ops, mops, sales enablement,
            enablement, deal desk, crm, salesforce administrator, salesforce admin, salesforce,
            hubspot, hubspot administrator, commercial operations, sales strategy and operations,
            revenue strategy, revenue systems, sales systems, gtm systems, go market, gtm, marketing
            automation, sales analytics, crm manager, revenue enablement, sales excellence, sales
            effectiveness, compensation sales, sales compensation, territory planning, quota
        """,
        FINANCE: """
            finance, financial, cfo, accounting, accountant, controller, controlling, comptroller,
            treasury, treasurer, tax, taxation, audit, auditor, fpa, bookkeeper, bookkeeping,
            billing, accounts payable, accounts receivable, credit, collections, investor relations,
            mna, pnl, financial planning, payables, receivables, reconciliation, actuarial, actuary,
            underwriter, underwriting, risk management, investment, investments, banking, corporate
            development, valuation, budget
        """,
        HR: """
            hr, human resources, people, people operations, people ops, talent, talent acquisition,
            recruiting, recruiter, recruitment, chro, hrbp, hr business partner, learning and
            development, lnd, compensation, benefits, payroll, human capital, workforce, employee
            experience, total rewards, people partner, sourcer, diversity and inclusion, dei,
            culture, staffing, onboarding, hris, training, organizational development, chief people
            officer, employer branding
        """,
        OPERATIONS: """
            operations, operation, supply chain, logistics, procurement, purchasing, buyer,
            facilities, facility, office manager, production, manufacturing, plant, warehouse,
            fulfillment, fulfilment, quality, business operations, coo, chief operating officer,
            sourcing, inventory, distribution, fleet, transportation, shipping, maintenance, field
            operations, service delivery, delivery, project management office, pmo, program
            management, operational excellence, lean, six sigma, continuous improvement, process
            improvement, customer operations, vendor management, category manager, category
            management, strategic sourcing, operating, planning, demand planning, site,
            administration, office administrator, back office, facilities management
        """,
        LEGAL: """
            legal, counsel, general counsel, attorney, lawyer, paralegal, compliance, privacy, dpo,
            data protection, data protection officer, contracts, contract, regulatory, regulatory
            affairs, legal affairs, litigation, intellectual property, patent, patents, trademark,
            clo, chief legal officer, governance, ethics, law, corporate secretary, company
            secretary, legal operations, solicitor, barrister, notary, privacy officer, compliance
            officer
        """,
        EXECUTIVE: """
            ceo, chief executive, chief executive officer, founder, cofounder, co founder, founding
            partner, owner, coowner, co owner, business owner, president, managing director, md,
            executive director, managing partner, partner, senior partner, equity partner, chairman,
            chairwoman, chairperson, chair, board member, member board, board director, non
            executive director, general manager, gm, country manager, chief staff, proprietor,
            entrepreneur, clevel, c level, csuite, c suite, executive office, office ceo, leadership
            team, management board, general partner, deputy ceo, cxo, secretary general, principal
            owner
        """,
    },
    "fr": {
        IT: """
            informatique, dsi, systèmes d'information, système d'information, si, réseaux, réseau,
            infrastructures, technicien informatique, administrateur système, administrateur
            systèmes, administrateur réseau, support informatique, responsable informatique,
            technologies de l'information, numérique, technicien support, technicienne support,
            informaticien, informaticienne
        """,
        ENGINEERING: """
            développement, développeur, développeuse, logiciel, logiciels, recherche et
            développement, directeur technique, directrice technique, ingénierie, produit, ingénieur
            logiciel, ingénieure logicielle, chef de produit, bureau d'études, expérience
            utilisateur, interface utilisateur, interface utilisatrice, interfaces utilisateurs,
            utilisabilité, ux, ui, testeur, testeuse
        """,
        DATA: """
            données, analyste de données, scientifique des données, statisticien, statisticienne,
            analyse de données, intelligence artificielle, big data, informatique décisionnelle,
            décisionnel
        """,
        SECURITY: "sécurité, cybersécurité, rssi, sécurité informatique, sécurité des systèmes",
        MARKETING: """
            communication, chargé de communication, chargée de communication, marketing digital,
            relations presse, publicité, événementiel, webmarketing, marque
        """,
        SALES: """
            ventes, vente, commercial, commerciale, ingénieur commercial, ingénieure commerciale,
            chargé d'affaires, chargée d'affaires, grands comptes, développement commercial,
            directeur commercial, directrice commerciale, technico-commercial, avant-vente, avant
            vente, relation client, clientèle, chef des ventes, business developer, ingénieur
            d'affaires, ingénieure d'affaires, affaires
        """,
        REVOPS: """
            opérations commerciales, opérations marketing, administration des ventes, adv,
            efficacité commerciale
        """,
        FINANCE: """
            finances, financier, financière, comptabilité, comptable, trésorerie, trésorier,
            trésorière, contrôle de gestion, contrôleur de gestion, fiscalité, daf, audit, directeur
            administratif et financier, directrice administrative et financière, administratif et
            financier
        """,
        HR: """
            rh, ressources humaines, drh, recrutement, recruteur, recruteuse, chargé de recrutement,
            talents, paie, formation, développement rh, relations sociales
        """,
        OPERATIONS: """
            opérations, logistique, achats, acheteur, acheteuse, production, usine, qualité, chaîne
            d'approvisionnement, approvisionnement, exploitation, services généraux, maintenance
        """,
        LEGAL: """
            juridique, juriste, avocat, avocate, conformité, directeur juridique, directrice
            juridique, droit, contrats, affaires juridiques
        """,
        EXECUTIVE: """
            pdg, dg, directeur général, directrice générale, directeur général adjoint, directrice
            générale adjointe, président, présidente, président directeur général, fondateur,
            fondatrice, cofondateur, cofondatrice, gérant, gérante, associé, associée, associé
            gérant, dirigeant, dirigeante, chef d'entreprise, direction générale, membre du
            directoire, président du directoire
        """,
    },
    "de": {
        IT: """
            edv, informatik, informationstechnik, informationstechnologie, it-leiter,
            systemadministrator, systemadministratorin, netzwerk, netzwerke, netzwerktechnik,
            rechenzentrum, it-infrastruktur, infrastruktur, systembetreuer, systemtechnik,
            informatiker, informatikerin, organisation und it, datenbankadministrator,
            datenbankadministratorin
        """,
        ENGINEERING: """
            entwicklung, entwickler, entwicklerin, softwareentwicklung, softwareentwickler,
            softwareentwicklerin, forschung und entwicklung, fue, technik, technischer, technische,
            konstruktion, produktentwicklung, programmierer, programmiererin, produktmanagement,
            produktmanager, produktmanagerin, softwarearchitekt, softwarearchitektin, technischer
            leiter, technische leiterin, ingenieurwesen, ux, ui, benutzererfahrung,
            benutzeroberfläche, usability, tester, testerin
        """,
        DATA: """
            daten, datenanalyse, datenanalyst, datenanalystin, datenwissenschaftler,
            datenwissenschaftlerin, statistiker, statistikerin, datenmanagement, künstliche
            intelligenz, maschinelles lernen
        """,
        SECURITY: """
            sicherheit, it-sicherheit, informationssicherheit, cybersicherheit,
            informationssicherheitsbeauftragter, isb, datensicherheit
        """,
        MARKETING: """
            kommunikation, öffentlichkeitsarbeit, werbung, pressesprecher, pressesprecherin,
            unternehmenskommunikation, onlinemarketing, online-marketing, markenführung, presse
        """,
        SALES: """
            vertrieb, verkauf, verkäufer, verkäuferin, außendienst, innendienst,
            vertriebsinnendienst, vertriebsaußendienst, kundenberater, kundenberaterin,
            kundenbetreuer, kundenbetreuerin, key account, geschäftsentwicklung,
            vertriebsmitarbeiter, vertriebsmitarbeiterin, kundenservice, neukundengewinnung,
            gebietsverkaufsleiter, vertriebsingenieur, vertriebsingenieurin, kundenmanagement
        """,
        REVOPS: """
            vertriebssteuerung, vertriebscontrolling, vertriebsoperations, crm-manager,
            vertriebsunterstützung, salesoperations
        """,
        FINANCE: """
            finanzen, finanz, finanzwesen, rechnungswesen, buchhaltung, buchhalter, buchhalterin,
            controlling, steuer, steuern, kämmerer, finanzvorstand, finanzbuchhaltung,
            lohnbuchhaltung, kaufmännischer, kaufmännische, kaufmännischer leiter, kaufmännische
            leiterin, treasury, revision, bilanzbuchhalter
        """,
        HR: """
            personal, personalwesen, personalabteilung, personalleiter, personalleiterin,
            personalreferent, personalreferentin, personalentwicklung, personalwirtschaft,
            personalmanagement, recruiting, personalbeschaffung, human resources,
            personalsachbearbeiter, personalsachbearbeiterin, lohn und gehalt, ausbildung,
            personalberater, personalberaterin
        """,
        OPERATIONS: """
            betrieb, logistik, einkauf, einkäufer, einkäuferin, produktion, fertigung, lager,
            qualität, qualitätsmanagement, qualitätssicherung, supply chain, beschaffung, werk,
            werksleiter, betriebsleiter, instandhaltung, disposition, materialwirtschaft, operations
        """,
        LEGAL: """
            recht, rechts, rechtsabteilung, jurist, juristin, rechtsanwalt, rechtsanwältin,
            syndikus, syndikusrechtsanwalt, datenschutz, datenschutzbeauftragter,
            datenschutzbeauftragte, justiziar, justiziarin, justitiar, compliance, verträge
        """,
        EXECUTIVE: """
            geschäftsführer, geschäftsführerin, geschäftsführender gesellschafter, geschäftsführende
            gesellschafterin, gesellschafter, gesellschafterin, inhaber, inhaberin, gründer,
            gründerin, mitgründer, mitgründerin, mitbegründer, vorstand, vorstandsvorsitzender,
            vorstandsvorsitzende, vorstandsmitglied, vorsitzender, vorsitzende, geschäftsleitung,
            geschäftsleiter, geschäftsleiterin, unternehmer, unternehmerin, firmeninhaber,
            aufsichtsrat, vorstandssprecher, unternehmensleitung
        """,
    },
    "es": {
        IT: """
            ti, tic, tecnologías de la información, tecnología de la información, sistemas,
            informática, redes, infraestructura, soporte técnico, mesa de ayuda, administrador de
            sistemas, administradora de sistemas, tecnología, técnico de soporte, técnica de
            soporte, informático, informáticos
        """,
        ENGINEERING: """
            desarrollo, desarrollador, desarrolladora, ingeniería, ingeniería de software,
            programador, programadora, programación, software, producto, i+d, investigación y
            desarrollo, director técnico, directora técnica, experiencia de usuario, experiencia
            del usuario, interfaz de usuario, interfaces de usuario, usabilidad, ux, ui, probador,
            probadora
        """,
        DATA: """
            datos, científico de datos, científica de datos, analista de datos, analítica,
            inteligencia de negocio, inteligencia de negocios, inteligencia artificial, estadístico,
            estadística, aprendizaje automático
        """,
        SECURITY: "seguridad, ciberseguridad, seguridad informática, seguridad de la información",
        MARKETING: """
            mercadotecnia, mercadeo, comunicación, comunicaciones, publicidad, marca, comunicación
            corporativa, relaciones públicas
        """,
        SALES: """
            ventas, comercial, vendedor, vendedora, ejecutivo de cuentas, ejecutiva de cuentas,
            ejecutivo comercial, ejecutiva comercial, desarrollo de negocio, desarrollo de negocios,
            preventa, preventas, cuentas clave, grandes cuentas, atención al cliente, éxito del
            cliente, clientes, cuentas, canal, canales
        """,
        REVOPS: "operaciones comerciales, operaciones de ventas, operaciones de marketing",
        FINANCE: """
            finanzas, financiero, financiera, contabilidad, contador, contadora, contable,
            tesorería, tesorero, tesorera, control de gestión, auditoría, impuestos, fiscal,
            administración y finanzas, cobranza, cobranzas, facturación
        """,
        HR: """
            rrhh, rr hh, recursos humanos, reclutamiento, reclutador, reclutadora, selección,
            talento, talento humano, gestión humana, nómina, capital humano, personas, gestión del
            talento, desarrollo organizacional
        """,
        OPERATIONS: """
            operaciones, logística, compras, comprador, compradora, producción, planta, calidad,
            cadena de suministro, abastecimiento, almacén, mantenimiento, fabricación,
            administración
        """,
        LEGAL: """
            legal, jurídico, jurídica, abogado, abogada, asesor jurídico, asesora jurídica, asesoría
            jurídica, cumplimiento, cumplimiento normativo, asuntos legales, asesor legal, asesora
            legal, derecho
        """,
        EXECUTIVE: """
            director general, directora general, director ejecutivo, directora ejecutiva, consejero
            delegado, consejera delegada, presidente, presidenta, fundador, fundadora, cofundador,
            cofundadora, socio, socia, socio director, socia directora, socio fundador, dueño,
            dueña, propietario, propietaria, gerente general, director gerente, directora gerente,
            empresario, empresaria, dirección general, gerencia general
        """,
    },
    "pt": {
        IT: """
            ti, tecnologia da informação, tecnologia, informática, infraestrutura, suporte técnico,
            redes, sistemas, administrador de sistemas, administradora de sistemas, service desk,
            técnico de suporte, técnica de suporte
        """,
        ENGINEERING: """
            desenvolvimento, desenvolvedor, desenvolvedora, engenharia, engenharia de software,
            programador, programadora, software, produto, produtos, pesquisa e desenvolvimento, p&d,
            pnd, arquiteto de software, arquiteta de software, experiência do usuário, interface do
            usuário, usabilidade, ux, ui, testador, testadora
        """,
        DATA: """
            dados, cientista de dados, analista de dados, engenheiro de dados, engenheira de dados,
            inteligência de negócios, inteligência de mercado, inteligência artificial, estatístico,
            estatística, analytics, bi
        """,
        SECURITY: """
            segurança, cibersegurança, segurança da informação, segurança cibernética
        """,
        MARKETING: """
            comunicação, publicidade, mídia, mídias sociais, marca, comunicação corporativa,
            relações públicas, endomarketing, trade marketing
        """,
        SALES: """
            vendas, comercial, vendedor, vendedora, executivo de contas, executiva de contas,
            executivo de vendas, executiva de vendas, executivo comercial, executiva comercial,
            desenvolvimento de negócios, pré-vendas, pré vendas, contas chave, grandes contas,
            sucesso do cliente, relacionamento, consultor comercial, consultora comercial, gerente
            de contas, novos negócios, canais, key account
        """,
        REVOPS: "operações de vendas, operações comerciais, operações de receita, revops",
        FINANCE: """
            finanças, financeiro, financeira, contabilidade, contador, contadora, tesouraria,
            controladoria, fiscal, tributário, tributária, auditoria, faturamento, contas a pagar,
            contas a receber, planejamento financeiro
        """,
        HR: """
            rh, recursos humanos, recrutamento, recrutador, recrutadora, gente e gestão,
            departamento pessoal, pessoas, gente, talentos, gestão de pessoas, folha de pagamento,
            treinamento, remuneração, cultura
        """,
        OPERATIONS: """
            operações, logística, compras, comprador, compradora, produção, qualidade, cadeia de
            suprimentos, suprimentos, fábrica, manutenção, planta, almoxarifado, facilities,
            administrativo
        """,
        LEGAL: """
            jurídico, jurídica, advogado, advogada, compliance, contratos, direito, departamento
            jurídico, assuntos regulatórios
        """,
        EXECUTIVE: """
            diretor geral, diretora geral, diretor executivo, diretora executiva, diretor
            presidente, diretora presidente, presidente, fundador, fundadora, cofundador,
            cofundadora, sócio, sócia, sócio diretor, sócia diretora, sócio fundador, proprietário,
            proprietária, dono, dona, empresário, empresária, conselheiro, conselheira
        """,
    },
}

# A role noun hints at a function, but a domain word anywhere in the title outranks it:
# "Engineer, Security" is security, "Analyst, Finance" is finance. A technician is not one:
# technicians work in every trade ("Dental Technician", "Técnico de farmacia"), so only the
# domain they name ("IT Technician") decides.
ROLE_NOUN_FUNCTIONS: dict[str, dict[str, str]] = {
    "en": {
        ENGINEERING: """
            engineer, developer, programmer, architect, coder, swe, sde, technical lead, tech lead,
            principal engineer, staff engineer, member technical staff, mts, hacker, technical, web,
            mobile, ios, android, java, python, javascript, react, golang, php, ruby
        """,
        DATA: "analyst, scientist, modeler, modeller",
        IT: "administrator",
    },
    "fr": {
        ENGINEERING: "ingénieur, ingénieure, architecte",
        DATA: "analyste",
        IT: "administrateur, administratrice",
    },
    "de": {
        ENGINEERING: "ingenieur, ingenieurin, architekt, architektin, diplom ingenieur",
        DATA: "analystin, wissenschaftler, wissenschaftlerin",
        IT: "administratorin",
    },
    "es": {
        ENGINEERING: "ingeniero, ingeniera, arquitecto, arquitecta",
        DATA: "analista, científico, científica",
        IT: "administrador, administradora",
    },
    "pt": {
        ENGINEERING: "engenheiro, engenheira, arquiteto, arquiteta, projetista",
        DATA: "cientista",
    },
}

# Words that carry a seniority only as the last word of a role: "Data Lead" leads the data
# team, "Lead Data Engineer" is an engineer.
LEAD_WORDS: str = "lead, líder, lider, leads"

# Assistant words make the title ic ("Executive Assistant to the CEO") unless a level follows
# at once ("Assistant Manager", "Assistant Vice President").
ASSISTANT_WORDS: str = """
    assistant, assistante, assistent, assistentin, asistente, assistente, secretary, secrétaire,
    sekretär, sekretärin, secretaria, secretário, secretária, ea, executive assistant, personal
    assistant, administrative assistant, office assistant, assistente executiva, assistente
    executivo, asistente ejecutiva, asistente de dirección, assistante de direction, assistant de
    direction, assistenz, assistenz der geschäftsführung
"""

# Words that decide nothing but are known, so that a spelling fix never turns them into one
# that does ("interim" is not "intern").
NEUTRAL_WORDS: str = """
    senior, principal, staff, global, regional, national, international, interim, acting, deputy,
    associate, group, corporate, digital, strategic, enterprise, area, country, emea, apac, latam,
    americas, north, south, east, west, central, europe, european, dach, america, asia, pacific,
    social, usa, uk, us, france, germany, spain, brazil, mexico, iberia, nordics, benelux,
    management, lead, leading, head, team, teams, global, services, service, solutions, solution,
    business, customer, customers, client, clients, senior, executive, general, office, department,
    division, unit, center, centre, excellence, transformation, innovation, special, projects,
    project, programs, program, planning, strategy, stratégie, estrategia, estratégia, strategie,
    new, key, chief, vice, officer, assistant, junior, mid, level, i, ii, iii, iv, v, 1, 2, 3,
    europa, mundial, stellvertretender, stellvertretende, adjoint, adjointe, adjunto, adjunta,
    interino, interina, kommissarischer, internal, externe, external, remote, hybrid, freelance,
    freelancer, contractor, contract, consulting, advisory, board, member, members, overall, whole,
    entire, region, regions, market, markets, local, directory, managed, managing, resident,
    residente, diretoria, direccion, direction, gerencia, geschaftsfuhrung, customer service,
    support, design, research
"""

# Phrases that hold a level word but name no level: "Partner Marketing" is a function.
NO_LEVEL_WORDS: str = """
    partner marketing, partner sales, channel partner, office ceo, executive office, leadership
    team, management board
"""

# German compounds: a known word ending in one of these heads is read as stem + head
# ("Vertriebsleiter" = Vertrieb + Leiter). Heads must be words with a seniority above.
COMPOUND_HEADS: str = """
    leiter, leiterin, leitung, manager, managerin, direktor, direktorin, entwickler, entwicklerin,
    berater, beraterin, referent, referentin, analyst, analystin, ingenieur, ingenieurin,
    spezialist, spezialistin, architekt, architektin, administrator, administratorin,
    sachbearbeiter, sachbearbeiterin, mitarbeiter, mitarbeiterin, assistent, assistentin,
    koordinator, koordinatorin, chef, chefin, verantwortlicher, verantwortliche, beauftragter,
    beauftragte, praktikant, praktikantin, werkstudent, werkstudentin, techniker, technikerin,
    kaufmann, kauffrau, vorstand, planer, planerin, experte, expertin, controller, controllerin,
    engineer, developer, consultant, specialist, director, informatiker, informatikerin, buchhalter,
    buchhalterin, rechtsanwalt, rechtsanwältin, jurist, juristin, meister, meisterin
"""

# German compounds whose last part looks like a head but is another word: a "Begleiter"
# accompanies, a "Halbleiter" is a semiconductor; neither leads anything.
FALSE_COMPOUND_ENDINGS: str = """
    begleiter, begleiterin, halbleiter, ableiter, anleitung, einleitung, umleitung, rohrleitung,
    wasserleitung, verleitung, weiterleitung
"""

# --- occupations ---------------------------------------------------------------------------
# A title with no level word still names a job: "Plumber", "Tischler", "Farmacéutica" are
# individual contributors, not unknown. A word is read as an occupation when it is listed here
# or ends the way person nouns end in its language (plumb-er, hygien-ist, farmacéut-ica,
# enferm-eiro), its German feminine ("-in") and plural ("-s") set aside. "unknown" is left for
# empty titles, noise and words that name no one ("Retired", "N/A", "Marketing").

# Person-noun endings, longest first within each language; a word must be at least five letters.
OCCUPATION_SUFFIXES: dict[str, str] = {
    "en": """
        er, or, ist, ician, itian, arian, orian, ant, eer, ier, yst, smith, wright, man, woman,
        person, hand, keeper, maker, ologist, iatrist, grapher, nomist, pist, ive, ress
    """,
    "fr": """
        eur, euse, rice, ier, iere, ien, ienne, iste, aire, ant, ante, logue, ographe, ologue,
        naute
    """,
    "de": "er, eur, euse, ist, ant, kraft, mann, frau, wart, arzt, loge, graf, schmied, wirt",
    "es": """
        ero, era, dor, dora, tor, tora, sor, sora, ista, ante, ente, ario, aria, ico, ica, ogo,
        oga, logo, loga, euta, ador, adora, iatra, grafo, grafa, auta
    """,
    "pt": """
        eiro, eira, dor, dora, tor, tora, sor, sora, ista, ante, ente, ario, aria, ico, ica, ogo,
        oga, euta, iatra, grafo, grafa, auta
    """,
}

# Occupations that end in no person-noun ending.
OCCUPATION_WORDS: dict[str, str] = {
    "en": """
        nurse, chef, cook, pilot, judge, maid, nanny, guard, clerk, monk, priest, nun, surgeon,
        physician, midwife, mason, chemist, mechanic, artist, coach, vet, model, poet, nurse,
        crew, cleaner, porter, caretaker, labourer, laborer, barista, concierge, valet, chauffeur,
        dentist, doctor, therapist, paramedic, medic, pharmacist, tutor, teacher, pastor,
        deacon, rabbi, imam, cadet, sheriff, deputy sheriff, bailiff, diplomat, ambassador,
        mayor, curator, archivist, optician, beautician, butler, sommelier, baker, barber,
        housekeeper, landscaper, lifeguard, ranger, farmhand, fisher, miner, logger, roofer,
        glazier, plasterer, tiler, upholsterer, cobbler, jeweller, jeweler, goldsmith, blacksmith,
        locksmith, florist, tailor, seamstress, hairdresser, stylist, cosmetologist, masseur,
        masseuse, dietitian, nutritionist, psychologist, psychiatrist, pediatrician, surveyor,
        geologist, biologist, physicist, mathematician, astronomer, pharmacologist, radiologist,
        anaesthetist, anesthetist, orthodontist, hygienist, audiologist, optometrist, podiatrist,
        chiropractor, osteopath, physio, physiotherapist, sonographer, phlebotomist, caregiver,
        carer, au pair, steward, stewardess, purser, captain, skipper, deckhand, boatswain, mate,
        conductor, dispatcher, courier, chauffeur, cabbie, trucker, welder, fitter, machinist,
        electrician, plumber, carpenter, joiner, bricklayer, painter, decorator, gardener,
        groundskeeper, janitor, custodian, doorman, bouncer, bartender, waiter, waitress, host,
        hostess, cashier, teller, bookseller, librarian, journalist, reporter, photographer,
        videographer, animator, illustrator, translator, interpreter, actor, actress, dancer,
        musician, singer, composer, athlete, referee, umpire, jockey, vicar, chaplain, minister,
        scholar, docent, warden, acrobat, professional, employee, worker, labourer, operative
    """,
    "fr": """
        médecin, infirmier, infirmière, juge, notaire, maçon, chef cuisinier, cuisinier,
        cuisinière, pompier, policier, policière, gendarme, facteur, boulanger, boulangère,
        boucher, bouchère, coiffeur, coiffeuse, pharmacien, pharmacienne, dentiste, vétérinaire,
        kinésithérapeute, kiné, sage-femme, aide-soignant, aide-soignante, ouvrier, ouvrière,
        manœuvre, maçonne, plombier, menuisier, charpentier, électricien, peintre, jardinier,
        chauffeur, livreur, livreuse, magasinier, cariste, serveur, serveuse, barman, caissier,
        caissière, vendeur, vendeuse, enseignant, enseignante, professeur, professeure,
        instituteur, institutrice, éducateur, éducatrice, moniteur, monitrice, psychologue,
        architecte, géomètre, avocat, avocate, huissier, greffier, greffière, pilote, steward,
        hôtesse, marin, matelot, pêcheur, agriculteur, agricultrice, éleveur, éleveuse,
        viticulteur, fleuriste, opticien, opticienne, prêtre, pasteur, imam, rabbin, artisan,
        artisane, couturier, couturière, tailleur, soudeur, soudeuse, mécanicien, mécanicienne,
        carrossier, chaudronnier, tourneur, fraiseur, ajusteur, régleur, agent d'entretien,
        femme de ménage, gardien, gardienne, concierge, vigile, pâtissier, pâtissière, traiteur,
        sommelier, sommelière, auxiliaire, aide, professionnel, professionnelle, nounou, garde,
        marchand, marchande, ministre, préposé, préposée, expert, experte
    """,
    "de": """
        arzt, ärztin, koch, köchin, pfleger, pflegerin, krankenschwester, krankenpfleger, hebamme,
        erzieher, erzieherin, lehrer, lehrerin, fahrer, fahrerin, maurer, maurerin, tischler,
        tischlerin, schreiner, schreinerin, zimmerer, zimmermann, dachdecker, elektriker,
        elektrikerin, installateur, klempner, schlosser, schweißer, mechaniker, mechanikerin,
        mechatroniker, bäcker, bäckerin, konditor, metzger, fleischer, friseur, friseurin,
        friseuse, gärtner, gärtnerin, landwirt, landwirtin, winzer, förster, polizist, polizistin,
        soldat, soldatin, richter, richterin, anwalt, anwältin, notar, notarin, apotheker,
        apothekerin, zahnarzt, zahnärztin, tierarzt, tierärztin, therapeut, therapeutin,
        physiotherapeut, physiotherapeutin, psychologe, psychologin, pfarrer, pfarrerin, pastor,
        pastorin, priester, lokführer, pilot, pilotin, kellner, kellnerin, kassierer,
        kassiererin, lagerist, lageristin, monteur, monteurin, maler, malerin, lackierer,
        fliesenleger, hausmeister, reinigungskraft, pflegekraft, hilfskraft, putzkraft,
        helfer, helferin, arbeiter, arbeiterin, bauarbeiter, handwerker, handwerkerin,
        hausfrau, hausmann, beamter, beamtin, angestellter, angestellte, dozent, dozentin,
        lektor, lektorin, journalist, journalistin, redakteur, redakteurin, übersetzer,
        dolmetscher, fotograf, fotografin, künstler, künstlerin, musiker, musikerin, schauspieler,
        sportler, trainer, trainerin, betreuer, betreuerin, heilpraktiker, optiker, hörakustiker,
        kaufmann, kauffrau, fachangestellte, fachangestellter, sozialarbeiter, sozialpädagoge,
        sozialpädagogin, pädagoge, pädagogin, erzieher, altenpfleger, altenpflegerin, chemiker,
        chemikerin, physiker, biologe, biologin, geologe, ökonom, ökonomin, steward, stewardess,
        bibliothekar, bibliothekarin, archivar, archivarin, aktuar, aktuarin, lotse, gehilfe,
        gehilfin, aushilfe, substitut, substitutin, zimmermädchen, orthopäde, orthopädin, chirurg,
        chirurgin, betriebsrat, betriebsrätin
    """,
    "es": """
        médico, médica, enfermero, enfermera, juez, jueza, policía, bombero, bombera, piloto,
        albañil, fontanero, fontanera, carpintero, carpintera, electricista, soldador,
        soldadora, mecánico, mecánica, pintor, pintora, panadero, panadera, cocinero, cocinera,
        camarero, camarera, mesero, mesera, cajero, cajera, dependiente, dependienta, conductor,
        conductora, chofer, chófer, repartidor, repartidora, vigilante, guardia, conserje,
        limpiador, limpiadora, jardinero, jardinera, agricultor, agricultora, ganadero, pescador,
        maestro, maestra, profesor, profesora, docente, educador, educadora, farmacéutico,
        farmacéutica, dentista, odontólogo, odontóloga, veterinario, veterinaria, fisioterapeuta,
        psicólogo, psicóloga, notario, notaria, periodista, fotógrafo, fotógrafa, traductor,
        traductora, intérprete, actor, actriz, músico, cantante, sacerdote, pastor, monja,
        peluquero, peluquera, carnicero, carnicera, sastre, costurera, obrero, obrera, peón,
        operario, operaria, auxiliar, azafata, marinero, capitán, cirujano, cirujana, matrona,
        atleta, guía, oficial, profesional, empleado, empleada, payaso, payasa, comadrona, comadrón,
        experto, experta, capitana
    """,
    "pt": """
        médico, médica, enfermeiro, enfermeira, juiz, juíza, policial, polícia, bombeiro,
        bombeira, piloto, pedreiro, pedreira, encanador, encanadora, canalizador, carpinteiro,
        carpinteira, marceneiro, marceneira, eletricista, electricista, soldador, soldadora,
        mecânico, mecânica, pintor, pintora, padeiro, padeira, cozinheiro, cozinheira, garçom,
        garçonete, empregado de mesa, caixa, operador de caixa, motorista, entregador,
        vigilante, porteiro, porteira, faxineiro, faxineira, jardineiro, agricultor, pescador,
        professor, professora, docente, educador, educadora, farmacêutico, farmacêutica,
        dentista, veterinário, veterinária, fisioterapeuta, psicólogo, psicóloga, tabelião,
        jornalista, fotógrafo, tradutor, tradutora, intérprete, ator, atriz, músico, cantor,
        cantora, padre, pastor, freira, cabeleireiro, cabeleireira, açougueiro, alfaiate,
        costureira, operário, operária, servente, auxiliar, ajudante, comissário de bordo,
        marinheiro, capitão, cirurgião, cirurgiã, parteira, serralheiro, funileiro, montador,
        montadora, frentista, balconista, vendedor, vendedora, repositor, estoquista, atleta,
        guia, oficial, profissional, empregado, empregada, peão, tecelão, tecelã
    """,
}

# Words with a person-noun ending that name no one, so they never make a title an occupation.
NOT_OCCUPATIONS: str = """
    other, another, others, never, ever, whatever, however, together, under, over, after, order,
    orders, error, number, paper, computer, center, centre, power, water, summer, winter,
    matter, letter, color, colour, floor, door, mirror, honor, honour, labor, labour, motor,
    sensor, minor, major, interior, exterior, superior, favor, favour, humor, terror, horror,
    sector, factor, vector, tractor, reactor, retired, unemployed, none, unknown,
    restaurant, important, relevant, elegant, giant, plant, various, test, list, just, german,
    norman, roman, human, frontier, barrier, carrier, salario, horario, calendario, diario,
    inventario, comentario, usuario, necesario, contrario, escenario, liste, piste, entretien,
    soutien, ancien, quotidien, lien, bien, rien, chien, combien, italien, parisien,
    best, west, east, rest, first, last, most, post, cost, ghost, guest, request, contest,
    couleur, valeur, secteur, moteur, interieur, exterieur, superieur, coeur, fleur, erreur,
    bonheur, honneur, ordinateur, leur, premier, premiere, dernier, derniere, papier, janvier,
    fevrier, quartier, metier, dossier, chantier, escalier, cahier, clavier, fichier, acier,
    entier, particulier, immobilier, salaire, affaire, affaires, annuaire, commentaire,
    formulaire, inventaire, primaire, secondaire, dictionnaire, horaire, anniversaire, bancaire,
    avant, pendant, maintenant, devant, durant, suivant, cependant, ambiente, cliente, urgente,
    presente, gente, fuente, puente, mente, siguiente, diferente, importante, primero, primera,
    tercero, tercera, dinero, carrera, cartera, madera, frontera, bandera, brasileiro,
    brasileira, carreira, primeiro, terceiro, inteiro, inteira, publico, publica, unico, unica,
    clinica, musica, fisica, politica, practica, pratica, basico, basica, economico, economica,
    lista, revista, vista, conquista, entrevista, mayor, menor, mejor, peor, valor, amor, calor,
    setor, computador, ordenador, exterior, anterior, posterior, camino, destino, vecino, latino,
    marina, cocina, oficina, maquina, pagina, medicina, disciplina, rutina, vitrina, gasolina,
    heroina, sardina, cortina, piscina, mina, china, argentina, retina, fina, divina, mutter,
    vater, bruder, schwester, oder, aber, wieder, immer, unter, hinter, weiter, sommer, winter,
    nummer, zimmer, kinder, lender, gender, member, members, customer, customers,
    user, users, owner, partner, partners, career, careers, cancer, active, inactive, positive,
    negative, native, alive, olive, drive, archive, address, progress, express, stress, congress,
    fortress, mattress
"""

# --- trade, retail, banking and design words ------------------------------------------------
# Where the people who are not in an office work: a shop's sellers are sales, a bank's clerks
# finance, a design office's draughtsmen engineering. Added to FUNCTION_WORDS below.
_TRADE_FUNCTION_WORDS: dict[str, dict[str, str]] = {
    "en": {
        SALES: """
            salesperson, salesman, saleswoman, salespeople, seller, retail, merchant, leasing,
            telesales, shop assistant, sales assistant, retail assistant, car dealer
        """,
        FINANCE: """
            bank, banker, bank clerk, insurance, insurer, capital, venture capital, dividend,
            loan, loans, mortgage, mortgages, underwriting, actuarial, securities, broker
        """,
        ENGINEERING: "drafting, draughtsman, draughtswoman, draftsman, draftswoman, drafter, cad",
        OPERATIONS: "transport, supply, freight, shipping, fleet, import, export, import export",
    },
    "fr": {
        SALES: """
            vendeur, vendeuse, marchand, marchande, magasin, boutique, grande distribution,
            commerce de détail, téléconseiller, téléconseillère, télévendeur, télévendeuse,
            après-vente, sav
        """,
        FINANCE: """
            banque, banquier, banquière, bancaire, assurance, assurances, financement,
            financements, crédit, fiscalité, patrimoine
        """,
        ENGINEERING: "dessinateur, dessinatrice, dessinateur projeteur, projeteur, projeteuse",
        OPERATIONS: "transport, transports, approvisionnement, import, export, import export",
    },
    "de": {
        SALES: """
            einzelhandel, handel, großhandel, händler, händlerin, verkaufsstelle, verkaufsstellen,
            kundenberater, kundenberaterin, kundenberatung
        """,
        FINANCE: """
            bank, banken, sparkasse, versicherung, versicherungen, vermögen, vermögens, kredit,
            kredite, steuern, anlage, anlageberater, anlageberaterin, finanzdienstleistung
        """,
        DATA: "datenbank, datenbanken",
        ENGINEERING: """
            konstrukteur, konstrukteurin, konstruktion, technischer zeichner, technische zeichnerin,
            zeichner, zeichnerin, bauzeichner, bauzeichnerin, cad
        """,
        OPERATIONS: "transport, spedition, versand, disposition, import, export, außenhandel",
    },
    "es": {
        SALES: """
            venta, vendedor, vendedora, tienda, comercio, comercial, dependiente, dependienta,
            telemarketing, televenta, teleoperador, teleoperadora, alquiler
        """,
        FINANCE: """
            banco, banca, bancario, bancaria, seguros, seguro, crédito, créditos, inversiones,
            inversión, hipotecas, bolsa
        """,
        ENGINEERING: "proyectista, delineante, dibujante técnico, dibujante técnica, cad",
        OPERATIONS: """
            transporte, transportes, abastecimiento, suministros, importación, exportación
        """,
    },
    "pt": {
        SALES: """
            venda, vendedor, vendedora, loja, comércio, balconista, telemarketing, televendas,
            representante comercial
        """,
        FINANCE: """
            banco, bancário, bancária, seguros, seguro, crédito, investimentos, investimento,
            câmbio, tributário, tributária
        """,
        ENGINEERING: "desenhista técnico, desenhista técnica, desenhista projetista, cad",
        OPERATIONS: "transporte, transportes, suprimentos, abastecimento, importação, exportação",
    },
}
for _language, _by_function in _TRADE_FUNCTION_WORDS.items():
    for _function, _text in _by_function.items():
        _listed = FUNCTION_WORDS[_language].get(_function, "")
        FUNCTION_WORDS[_language][_function] = f"{_listed}, {_text}" if _listed.strip() else _text
