"""Short job-ad texts in six languages, written for this project (not taken from any ad).

Used by the language-identification, segmentation and tokeniser tests and by
``benchmarks/language_id.py``. Each language has job titles (two to six words, the hard
case for language identification), ad lines (tasks, requirements, offers) and learning
outcomes of the kind micro-credential catalogues state. The lines are ordinary phrasing of
each language, with the English loan words real ads carry ("DevOps", "Scrum", "SQL").

``AD_BLOCKS`` are multi-sentence ad paragraphs per language for sentence segmentation: the
number of sentences in each is what a reader of that language would count.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("en", "nl", "de", "fr", "es", "it")

TITLES: dict[str, list[str]] = {
    "en": [
        "Senior Project Manager",
        "Heat pump installer",
        "Registered nurse, night shifts",
        "Chef de partie",
        "Warehouse operative",
        "Data engineer (Azure)",
        "Primary school teacher",
        "Electrician wanted",
        "Customer service advisor",
        "Accounts payable clerk",
    ],
    "nl": [
        "Projectleider bouw",
        "Monteur warmtepompen",
        "Verpleegkundige nachtdienst",
        "Medewerker klantenservice",
        "Magazijnmedewerker",
        "Leerkracht basisonderwijs",
        "Elektricien gezocht",
        "Boekhouder parttime",
        "Zorgmedewerker thuiszorg",
        "Vrachtwagenchauffeur",
    ],
    "de": [
        "Projektleiter Hochbau",
        "Monteur für Wärmepumpen",
        "Pflegefachkraft im Nachtdienst",
        "Mitarbeiter Kundenservice",
        "Lagerhelfer gesucht",
        "Grundschullehrerin",
        "Elektriker (m/w/d)",
        "Buchhalter in Teilzeit",
        "Altenpfleger gesucht",
        "Berufskraftfahrer",
    ],
    "fr": [
        "Chef de projet informatique",
        "Installateur de pompes à chaleur",
        "Infirmier de nuit",
        "Conseiller clientèle",
        "Préparateur de commandes",
        "Professeur des écoles",
        "Électricien du bâtiment",
        "Comptable à temps partiel",
        "Aide-soignante à domicile",
        "Chauffeur poids lourd",
    ],
    "es": [
        "Jefe de proyecto",
        "Instalador de bombas de calor",
        "Enfermera de noche",
        "Teleoperador de atención al cliente",
        "Mozo de almacén",
        "Maestro de educación primaria",
        "Electricista con experiencia",
        "Contable a media jornada",
        "Auxiliar de ayuda a domicilio",
        "Conductor de camión",
    ],
    "it": [
        "Responsabile di progetto",
        "Installatore di pompe di calore",
        "Infermiere turno notturno",
        "Addetto al servizio clienti",
        "Magazziniere carrellista",
        "Insegnante di scuola primaria",
        "Elettricista esperto",
        "Contabile part-time",
        "Operatore socio-sanitario",
        "Autista di camion",
    ],
}

LINES: dict[str, list[str]] = {
    "en": [
        "You will install and maintain heat pumps and solar panels.",
        "Experience with Python, SQL and cloud platforms is essential.",
        "Manage a team of five nurses on a busy surgical ward.",
        "Prepare monthly management accounts and reconcile bank statements.",
        "A full UK driving licence is required.",
        "We offer a competitive salary and 25 days holiday.",
        "Plan lessons and assess pupils' progress.",
        "Good communication skills and attention to detail.",
        "Maintain electrical installations in line with safety rules.",
        "Answer customer calls and resolve complaints quickly.",
        "Load and unload delivery vans and keep stock records accurate.",
        "Work with developers to design and test new features.",
    ],
    "nl": [
        "Je installeert en onderhoudt warmtepompen en zonnepanelen.",
        "Ervaring met Python, SQL en cloudplatforms is een must.",
        "Je geeft leiding aan een team van vijf verpleegkundigen.",
        "Je stelt maandelijks de managementrapportages op en controleert de bankafschriften.",
        "Een rijbewijs B is vereist.",
        "Wij bieden een marktconform salaris en 25 vakantiedagen.",
        "Je bereidt lessen voor en volgt de voortgang van de leerlingen.",
        "Goede communicatieve vaardigheden en oog voor detail.",
        "Je onderhoudt elektrische installaties volgens de veiligheidsvoorschriften.",
        "Je beantwoordt vragen van klanten en lost klachten snel op.",
        "Je laadt en lost vrachtwagens en houdt de voorraad bij.",
        "Samen met de ontwikkelaars ontwerp en test je nieuwe functies.",
    ],
    "de": [
        "Sie installieren und warten Wärmepumpen und Solaranlagen.",
        "Erfahrung mit Python, SQL und Cloud-Plattformen setzen wir voraus.",
        "Sie führen ein Team von fünf Pflegekräften auf einer chirurgischen Station.",
        "Sie erstellen die monatlichen Abschlüsse und gleichen die Bankkonten ab.",
        "Ein Führerschein der Klasse B ist erforderlich.",
        "Wir bieten eine attraktive Vergütung und 30 Tage Urlaub.",
        "Sie planen den Unterricht und beurteilen die Leistungen der Schüler.",
        "Gute Kommunikationsfähigkeit und eine sorgfältige Arbeitsweise.",
        "Sie warten elektrische Anlagen nach den geltenden Sicherheitsvorschriften.",
        "Sie beantworten Kundenanfragen und bearbeiten Reklamationen.",
        "Sie be- und entladen Lieferwagen und pflegen die Bestandsdaten.",
        "Gemeinsam mit den Entwicklern konzipieren und testen Sie neue Funktionen.",
    ],
    "fr": [
        "Vous installez et entretenez des pompes à chaleur et des panneaux solaires.",
        "Une expérience avec Python, SQL et les plateformes cloud est indispensable.",
        "Vous encadrez une équipe de cinq infirmiers dans un service de chirurgie.",
        "Vous préparez les comptes mensuels et effectuez les rapprochements bancaires.",
        "Le permis B est obligatoire.",
        "Nous offrons un salaire attractif et 25 jours de congés.",
        "Vous préparez les cours et évaluez les progrès des élèves.",
        "Bonnes capacités de communication et sens du détail.",
        "Vous assurez la maintenance des installations électriques dans le respect des normes.",
        "Vous répondez aux appels des clients et traitez les réclamations.",
        "Vous chargez et déchargez les camions et tenez les stocks à jour.",
        "Avec les développeurs, vous concevez et testez de nouvelles fonctionnalités.",
    ],
    "es": [
        "Instalarás y mantendrás bombas de calor y paneles solares.",
        "Se requiere experiencia con Python, SQL y plataformas en la nube.",
        "Dirigirás un equipo de cinco enfermeras en una planta de cirugía.",
        "Elaborarás los cierres mensuales y conciliarás los extractos bancarios.",
        "Es imprescindible tener carné de conducir B.",
        "Ofrecemos un salario competitivo y 23 días de vacaciones.",
        "Preparar las clases y evaluar el progreso de los alumnos.",
        "Buenas habilidades de comunicación y atención al detalle.",
        "Mantenimiento de instalaciones eléctricas según la normativa de seguridad.",
        "Atender las llamadas de los clientes y resolver sus reclamaciones.",
        "Cargar y descargar furgonetas y mantener el inventario al día.",
        "Junto con los desarrolladores, diseñarás y probarás nuevas funcionalidades.",
    ],
    "it": [
        "Installerai e manterrai pompe di calore e pannelli solari.",
        "È richiesta esperienza con Python, SQL e piattaforme cloud.",
        "Coordinerai un gruppo di cinque infermieri in un reparto di chirurgia.",
        "Preparerai le chiusure mensili e le riconciliazioni bancarie.",
        "È richiesto il possesso della patente B.",
        "Offriamo una retribuzione competitiva e 26 giorni di ferie.",
        "Preparare le lezioni e valutare i progressi degli alunni.",
        "Ottime capacità comunicative e attenzione ai dettagli.",
        "Manutenzione degli impianti elettrici nel rispetto delle norme di sicurezza.",
        "Rispondere alle chiamate dei clienti e gestire i reclami.",
        "Caricare e scaricare i furgoni e tenere aggiornato il magazzino.",
        "Insieme agli sviluppatori progetterai e testerai nuove funzionalità.",
    ],
}

OUTCOMES: dict[str, list[str]] = {
    "en": [
        "Explain how a heat pump works and size it for a dwelling.",
        "Write SQL queries to analyse sales data.",
        "Apply infection control procedures on a hospital ward.",
        "Use a spreadsheet to prepare a cash-flow forecast.",
    ],
    "nl": [
        "De werking van een warmtepomp uitleggen en het vermogen voor een woning bepalen.",
        "SQL-query's schrijven om verkoopgegevens te analyseren.",
        "Procedures voor infectiepreventie toepassen op een verpleegafdeling.",
        "Met een spreadsheet een liquiditeitsprognose opstellen.",
    ],
    "de": [
        "Die Funktionsweise einer Wärmepumpe erklären und sie für ein Wohnhaus auslegen.",
        "SQL-Abfragen schreiben, um Verkaufsdaten auszuwerten.",
        "Hygienemaßnahmen zur Infektionsprävention auf einer Station anwenden.",
        "Mit einer Tabellenkalkulation eine Liquiditätsplanung erstellen.",
    ],
    "fr": [
        "Expliquer le fonctionnement d'une pompe à chaleur et la dimensionner pour un logement.",
        "Écrire des requêtes SQL pour analyser des données de ventes.",
        "Appliquer les procédures de prévention des infections dans un service hospitalier.",
        "Utiliser un tableur pour établir un plan de trésorerie.",
    ],
    "es": [
        "Explicar el funcionamiento de una bomba de calor y dimensionarla para una vivienda.",
        "Escribir consultas SQL para analizar datos de ventas.",
        "Aplicar los protocolos de prevención de infecciones en una planta hospitalaria.",
        "Utilizar una hoja de cálculo para elaborar una previsión de tesorería.",
    ],
    "it": [
        "Spiegare il funzionamento di una pompa di calore e dimensionarla per un'abitazione.",
        "Scrivere query SQL per analizzare i dati di vendita.",
        "Applicare le procedure di prevenzione delle infezioni in un reparto ospedaliero.",
        "Utilizzare un foglio di calcolo per redigere un piano di tesoreria.",
    ],
}

# Multi-sentence paragraphs: (text, number of sentences a reader counts).
AD_BLOCKS: dict[str, list[tuple[str, int]]] = {
    "en": [
        ("We are growing fast. You will lead the installation team. Do you have an NVQ?", 3),
        ("Salary about 30,000 per year, e.g. overtime paid. Apply today!", 2),
    ],
    "nl": [
        (
            "Wij groeien snel. Je geeft leiding aan het installatieteam. "
            "Heb je een diploma Eerste Monteur?",
            3,
        ),
        ("Salaris ca. 3.000 euro per maand, o.a. reiskosten vergoed. Solliciteer nu!", 2),
    ],
    "de": [
        (
            "Wir wachsen schnell. Sie leiten das Montageteam. "
            "Haben Sie eine abgeschlossene Ausbildung?",
            3,
        ),
        ("Gehalt ca. 3.000 Euro im Monat, z.B. Überstunden bezahlt. Bewerben Sie sich jetzt!", 2),
    ],
    "fr": [
        (
            "Nous sommes en pleine croissance. Vous dirigerez l'équipe d'installation. "
            "Avez-vous un CAP d'électricien ?",
            3,
        ),
        ("Salaire env. 2 500 euros par mois, p. ex. heures sup. payées. Postulez vite !", 2),
    ],
    "es": [
        (
            "Estamos creciendo rápido. Dirigirás el equipo de instalación. "
            "¿Tienes un título de formación profesional?",
            3,
        ),
        ("Salario aprox. 2.000 euros al mes, p. ej. horas extra pagadas. ¡Inscríbete ya!", 2),
    ],
    "it": [
        (
            "Siamo in forte crescita. Guiderai la squadra di installazione. "
            "Hai un diploma di perito elettrotecnico?",
            3,
        ),
        ("Stipendio ca. 2.000 euro al mese, ad es. straordinari pagati. Candidati subito!", 2),
    ],
}

# List-like lines whose words are mostly product names: language identifiers guess wildly
# on them (langid called the first one, a line of a real ad, Basque with confidence 1.00);
# they must take the document's language.
LIST_LIKE: list[str] = [
    "Azure Storage Azure EventHub Azure Functions Azure Data Lake Azure CosmosDB "
    "Security Principles .",
    "Java, Spring Boot, Kubernetes, Docker, Terraform",
    "SAP FI/CO, Excel, Power BI",
    "C++ / C# / .NET / SQL Server",
    "AutoCAD, Revit, BIM 360",
]
