/** The word lists portfolio names are drawn from: cities, company name parts, people's names, role mailboxes. */

export type Lang = "en" | "de" | "fr" | "es" | "it" | "nl" | "pl" | "sv" | "ru";

export const CITIES: Record<Lang, readonly string[]> = {
  en: [
    "Austin US", "New York US", "Chicago US", "Seattle US", "Atlanta US", "Denver US", "Boston US",
    "San Jose US", "Dallas US", "Toronto CA", "London GB", "Manchester GB", "Dublin IE", "Sydney AU",
  ],
  de: ["Berlin DE", "Munich DE", "Hamburg DE", "Frankfurt DE", "Stuttgart DE", "Cologne DE", "Vienna AT", "Zurich CH"],
  fr: ["Paris FR", "Lyon FR", "Toulouse FR", "Marseille FR", "Brussels BE", "Geneva CH"],
  es: ["Madrid ES", "Barcelona ES", "Valencia ES", "Seville ES", "Bilbao ES"],
  it: ["Milan IT", "Rome IT", "Turin IT", "Bologna IT", "Naples IT"],
  nl: ["Amsterdam NL", "Rotterdam NL", "Utrecht NL", "Eindhoven NL", "Antwerp BE"],
  pl: ["Warsaw PL", "Krakow PL", "Gdansk PL", "Wroclaw PL", "Poznan PL"],
  sv: ["Stockholm SE", "Gothenburg SE", "Malmo SE", "Oslo NO", "Copenhagen DK", "Helsinki FI"],
  ru: [
    "Moscow RU", "Saint Petersburg RU", "Yekaterinburg RU", "Kazan RU", "Novosibirsk RU",
    "Nizhny Novgorod RU", "Samara RU", "Krasnoyarsk RU",
  ],
};

export const EN_PREFIXES = [
  "Northwind", "Contoso", "Fabrikam", "Tailspin", "Woodgrove", "Litware", "Proseware", "Coho", "Lucerne",
  "Adatum", "Alpine", "Blue Yonder", "Wide World", "Fourth Coffee", "Summit", "Pinnacle", "Harbor",
  "Redwood", "Granite", "Silverline", "Evergreen", "Keystone", "Meridian", "Atlas", "Beacon", "Cedar",
  "Horizon", "Lakeside", "Ironbridge", "Oakridge", "Riverside", "Stonegate", "Bluewater", "Clearwater",
  "Highland", "Greenfield", "Westbrook", "Eastgate", "Crescent", "Falcon",
];
export const EN_SUFFIXES = [
  "Logistics", "Health", "Retail", "Energy", "Bank", "Insurance", "Manufacturing", "Foods", "Pharma",
  "Airlines", "Telecom", "Motors", "Hotels", "University", "Steel", "Chemicals", "Media", "Capital",
  "Systems", "Utilities", "Hospital", "Schools", "County", "Airport", "Credit Union", "Shipping",
];
export const EN_FORMS = ["", "", "", " Inc", " LLC", " Ltd", " plc", " Corp", " & Co"];

/** European companies: [prefixes, suffixes] per language. */
export const EU_PARTS: Record<Exclude<Lang, "en" | "ru">, readonly [readonly string[], readonly string[]]> = {
  de: [
    ["Rheinland", "Hanse", "Alpen", "Nordsee", "Spree", "Mainfranken", "Schwarzwald", "Elbtal"],
    ["Logistik GmbH", "Energie AG", "Versicherung AG", "Maschinenbau GmbH", "Kliniken GmbH", "Handel GmbH", "Bau AG", "Stadtwerke GmbH"],
  ],
  fr: [
    ["Lumière", "Provence", "Atlantique", "Garonne", "Beaujolais", "Côte d'Azur"],
    ["Santé", "Énergie SA", "Assurances", "Transports SAS", "Banque", "Distribution SA"],
  ],
  es: [
    ["Ibérica", "Cantábrico", "Levante", "Meseta", "Guadalquivir"],
    ["Logística S.L.", "Energía S.A.", "Seguros", "Alimentación S.A.", "Hospitales"],
  ],
  it: [
    ["Adriatica", "Lombarda", "Toscana", "Dolomiti", "Tirrenica"],
    ["Trasporti S.p.A.", "Energia S.p.A.", "Assicurazioni", "Alimentari S.r.l.", "Banca"],
  ],
  nl: [
    ["Zeeland", "Hollandse", "Amstel", "Maas", "Veluwe"],
    ["Transport B.V.", "Energie N.V.", "Verzekeringen", "Zorggroep", "Havenbedrijf"],
  ],
  pl: [
    ["Wisła", "Mazowsze", "Bałtyk", "Tatry", "Odra"],
    ["Energia S.A.", "Logistyka Sp. z o.o.", "Ubezpieczenia", "Bank", "Szpital"],
  ],
  sv: [
    ["Nordlys", "Fjäll", "Skärgård", "Norrland", "Öresund"],
    ["Energi AB", "Logistik AB", "Försäkring AB", "Sjukhus", "Bank AB"],
  ],
};

/** A few hand-written names exercising CSV quoting (commas, ampersands, apostrophes). */
export const SPECIAL_NAMES: ReadonlyArray<readonly [name: string, lang: Lang]> = [
  ["Müller, Schmidt & Partner GmbH", "de"],
  ["Smith, Jones & Associates", "en"],
  ["O'Brien Freight Ltd", "en"],
  ["Margie's Travel", "en"],
  ["Dupont, Martin et Fils", "fr"],
];

export const RU_LATIN_PREFIXES = ["Ural", "Volga", "Sibir", "Neva", "Kama", "Altai", "Baikal", "Taiga", "Amur", "Oka"];
export const RU_LATIN_SUFFIXES = ["Steel", "Energy", "Telecom", "Logistics", "Pharma", "Bank", "Retail", "Machinery"];
export const RU_CYR_PREFIXES = ["Урал", "Волга", "Сибирь", "Нева", "Кама", "Алтай", "Байкал", "Тайга"];
export const RU_CYR_SUFFIXES = ["сталь", "энерго", "телеком", "логистик", "фарм", "банк", "ритейл", "маш"];
export const RU_FORMS = ["", "", "АО ", "ООО ", "ПАО "];

export const FIRST_NAMES: Record<Exclude<Lang, "ru">, readonly string[]> = {
  en: ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Sarah", "Daniel", "Emily", "Chris", "Laura", "Kevin", "Priya"],
  de: ["Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Paul", "Sophie", "Jürgen", "Katrin"],
  fr: ["Pierre", "Camille", "Julien", "Chloé", "Antoine", "Élodie", "Nicolas", "Manon"],
  es: ["Javier", "Lucía", "Carlos", "María", "Alejandro", "Sofía", "Pablo", "Carmen"],
  it: ["Marco", "Giulia", "Luca", "Francesca", "Matteo", "Chiara", "Andrea", "Sara"],
  nl: ["Jan", "Sanne", "Pieter", "Femke", "Daan", "Lotte", "Bram", "Eva"],
  pl: ["Piotr", "Agnieszka", "Tomasz", "Katarzyna", "Paweł", "Magdalena", "Łukasz", "Anna"],
  sv: ["Erik", "Ingrid", "Lars", "Astrid", "Johan", "Karin", "Nils", "Elin"],
};
export const LAST_NAMES: Record<Exclude<Lang, "ru">, readonly string[]> = {
  en: ["Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Clark", "Lewis", "Walker", "Young", "King", "Patel", "Nguyen"],
  de: ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann"],
  fr: ["Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Fontaine", "Rousseau", "Bernard"],
  es: ["García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Torres"],
  it: ["Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Conti"],
  nl: ["de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "de Boer", "Mulder"],
  pl: ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański"],
  sv: ["Andersson", "Lindqvist", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson"],
};
export const RU_MALE_FIRST = ["Иван", "Алексей", "Дмитрий", "Сергей", "Михаил", "Андрей", "Николай", "Павел"];
export const RU_FEMALE_FIRST = ["Анна", "Ольга", "Елена", "Мария", "Наталья", "Татьяна", "Ирина", "Екатерина"];
export const RU_LAST: ReadonlyArray<readonly [male: string, female: string]> = [
  ["Смирнов", "Смирнова"], ["Иванов", "Иванова"], ["Кузнецов", "Кузнецова"], ["Попов", "Попова"],
  ["Соколов", "Соколова"], ["Лебедев", "Лебедева"], ["Морозов", "Морозова"], ["Волков", "Волкова"],
  ["Новиков", "Новикова"], ["Фёдоров", "Фёдорова"],
];
/** Role mailboxes, like the sample export's "IT Director" / it.director@… */
export const ROLE_CONTACTS: ReadonlyArray<readonly [name: string, local: string]> = [
  ["IT Director", "it.director"],
  ["Network Lead", "netlead"],
  ["Security Operations", "secops"],
  ["IT Service Desk", "servicedesk"],
];

export const OTHER_ADOPTION_PARTNERS = ["Northstar Integration GmbH", "Bluewave Networks Ltd", "Сетевые решения", "Iberia Systems S.L."];
