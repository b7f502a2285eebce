"""Fictional but realistic patient demographics (many cultures and scripts) for demo databases."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from infudesk.domain import validation as v
from infudesk.domain.patients import LANGUAGES, US_STATES, PatientData, fold

# Every table below is parsed and checked once at import; generating a record only indexes
# into prebuilt tuples with ``rng.random()`` (stable across Python versions, unlike
# ``choice``/``randrange`` whose algorithms have changed), so a seed always gives the same data.

_Name = tuple[str, str]  # (as written, lowercase ASCII stem for e-mail addresses)
_Surname = tuple[str, str, str, str]  # (male form, female form, male ASCII, female ASCII)
_Pool = tuple[_Name, ...]
_Pools = tuple[_Pool, _Pool, _Pool]  # by generation: under 30, 30–59, 60 and over


def _ascii(text: str) -> str:
    stem = re.sub(r"[^a-z]", "", fold(text))
    if not stem:
        raise ValueError(f"no ASCII spelling for {text!r}")
    return stem


def _items(spec: str) -> list[tuple[str, str, int]]:
    """'written=romanized*weight' items separated by commas → (written, romanized, weight)."""
    out: list[tuple[str, str, int]] = []
    for raw in spec.split(","):
        item = " ".join(raw.split())
        if not item:
            continue
        weight = 1
        if "*" in item:
            item, count = item.rsplit("*", 1)
            weight = int(count)
        written, _, roman = item.partition("=")
        written = unicodedata.normalize("NFC", written.strip())
        if any(v.check_name(part) for part in written.split("/")):
            raise ValueError(f"not a valid name: {written!r}")
        out.append((written, roman.strip() or written, weight))
    return out


def _names(spec: str) -> _Pool:
    out: list[_Name] = []
    for written, roman, weight in _items(spec):
        out.extend([(written, _ascii(roman))] * weight)
    return tuple(out)


def _pools(spec: str | tuple[str, str, str]) -> _Pools:
    if isinstance(spec, str):
        pool = _names(spec)
        return (pool, pool, pool)
    return (_names(spec[0]), _names(spec[1]), _names(spec[2]))


def _surnames(spec: str) -> tuple[_Surname, ...]:
    """Surnames; 'Иванов/Иванова=Ivanov/Ivanova' gives male and female forms."""
    out: list[_Surname] = []
    for written, roman, weight in _items(spec):
        male, _, female = written.partition("/")
        r_male, _, r_female = roman.partition("/")
        entry = (male, female or male, _ascii(r_male), _ascii(r_female or r_male))
        out.extend([entry] * weight)
    return tuple(out)


def _expand(weighted: Iterable[tuple[object, int]]) -> tuple[object, ...]:
    return tuple(item for item, weight in weighted for _ in range(weight))


# --- places ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Locale:
    city: str
    state: str
    zip_low: int
    zip_span: int
    areas: tuple[str, ...]


# city | state | ZIP range | area codes | weight (roughly by population)
_LOCALE_SPEC = """
New York|NY|10001-10282|212 646 917 332|40
Brooklyn|NY|11201-11239|718 347 929 917|30
Flushing|NY|11354-11358|718 347 929|8
Astoria|NY|11101-11106|718 347 929|6
Los Angeles|CA|90001-90089|213 323 310 818|45
San Francisco|CA|94102-94134|415 628|12
Oakland|CA|94601-94621|510 341|7
San Jose|CA|95110-95139|408 669|12
Daly City|CA|94014-94015|650|3
San Diego|CA|92101-92139|619 858|14
Garden Grove|CA|92840-92845|714 657|4
Fresno|CA|93701-93730|559|6
Sacramento|CA|95811-95838|916 279|8
Chicago|IL|60601-60661|312 773 872|28
Evanston|IL|60201-60208|847 224|3
Naperville|IL|60540-60565|630 331|4
Houston|TX|77002-77099|713 281 832 346|30
Dallas|TX|75201-75254|214 469 972|18
San Antonio|TX|78201-78260|210 726|15
Austin|TX|78701-78759|512 737|10
El Paso|TX|79901-79938|915|6
Miami|FL|33125-33186|305 786|15
Tampa|FL|33602-33647|813 656|10
Tarpon Springs|FL|34688-34689|727|2
Orlando|FL|32801-32839|407 321 689|9
Jacksonville|FL|32202-32277|904|9
Atlanta|GA|30303-30350|404 470 678 770|16
Seattle|WA|98101-98199|206 564|12
Tacoma|WA|98402-98446|253|4
Portland|OR|97201-97236|503 971|8
Phoenix|AZ|85003-85054|602 480 623|16
Tucson|AZ|85701-85750|520|6
Denver|CO|80202-80249|303 720|10
Albuquerque|NM|87101-87123|505|6
Las Vegas|NV|89101-89183|702 725|9
Salt Lake City|UT|84101-84124|801 385|5
Boise|ID|83702-83716|208 986|3
Boston|MA|02108-02136|617 857|12
Worcester|MA|01602-01610|508 774|4
Providence|RI|02903-02909|401|4
Hartford|CT|06103-06120|860 959|4
Newark|NJ|07102-07114|973 862|6
Jersey City|NJ|07302-07311|201 551|5
Fort Lee|NJ|07024-07024|201 551|2
Philadelphia|PA|19102-19154|215 267 445|20
Pittsburgh|PA|15201-15237|412 878|8
Baltimore|MD|21201-21239|410 443 667|9
Washington|DC|20001-20037|202 771|8
Annandale|VA|22003-22003|703 571|2
Richmond|VA|23219-23236|804|5
Charlotte|NC|28202-28277|704 980|10
Raleigh|NC|27601-27617|919 984|7
Nashville|TN|37201-37221|615 629|8
Memphis|TN|38103-38141|901|7
Detroit|MI|48201-48238|313|8
Dearborn|MI|48120-48128|313|3
Grand Rapids|MI|49503-49548|616|4
Cleveland|OH|44102-44135|216|6
Columbus|OH|43201-43235|614 380|9
Cincinnati|OH|45202-45248|513|6
Indianapolis|IN|46201-46260|317 463|9
Minneapolis|MN|55401-55455|612|7
Saint Paul|MN|55101-55130|651|4
Milwaukee|WI|53202-53233|414|6
St. Louis|MO|63101-63139|314 557|7
Kansas City|MO|64105-64158|816|6
New Orleans|LA|70112-70131|504|5
Lafayette|LA|70501-70508|337|2
Birmingham|AL|35203-35244|205 659|4
Oklahoma City|OK|73102-73170|405|6
Omaha|NE|68102-68164|402 531|5
Louisville|KY|40202-40299|502|6
Little Rock|AR|72201-72227|501|3
Des Moines|IA|50309-50322|515|3
Wichita|KS|67202-67235|316|3
Jackson|MS|39201-39213|601 769|2
Columbia|SC|29201-29229|803|3
Wilmington|DE|19801-19810|302|2
Charleston|WV|25301-25314|304 681|2
Portland|ME|04101-04103|207|2
Manchester|NH|03101-03104|603|2
Burlington|VT|05401-05408|802|1
Billings|MT|59101-59106|406|1
Fargo|ND|58102-58104|701|1
Sioux Falls|SD|57103-57110|605|1
Cheyenne|WY|82001-82009|307|1
Anchorage|AK|99501-99518|907|2
Honolulu|HI|96813-96826|808|4
San Juan|PR|00901-00936|787 939|3
"""


def _parse_locales(spec: str) -> tuple[dict[str, _Locale], tuple[_Locale, ...]]:
    by_key: dict[str, _Locale] = {}
    weighted: list[tuple[object, int]] = []
    for line in spec.strip().splitlines():
        city, state, zips, areas, weight = line.split("|")
        low, high = zips.split("-")
        codes = tuple(areas.split())
        if state not in US_STATES or len(low) != 5 or len(high) != 5:
            raise ValueError(f"bad locale: {line}")
        if any(len(a) != 3 or not a.isdigit() or a[0] in "01" for a in codes):
            raise ValueError(f"bad area code: {line}")
        loc = _Locale(city, state, int(low), int(high) - int(low) + 1, codes)
        by_key[f"{city} {state}"] = loc
        weighted.append((loc, int(weight)))
    return by_key, tuple(loc for loc in _expand(weighted) if isinstance(loc, _Locale))


_LOCALE_BY_KEY, _LOCALES = _parse_locales(_LOCALE_SPEC)
_ALL_AREAS = tuple(a for loc in _LOCALE_BY_KEY.values() for a in loc.areas)
_LINES = tuple(f"55501{n:02d}" for n in range(100))  # 555-0100…0199: reserved for fiction

_STREET_NAMES = """
Main, Oak, Maple, Cedar, Elm, Pine, Washington, Lincoln, Jefferson, Madison, Park, Lake, Hill,
Church, Spring, Ridge, Sunset, Highland, Forest, River, Meadow, Willow, Chestnut, Walnut,
Hickory, Birch, Franklin, Jackson, Adams, Monroe, Grant, Center, Mill, Prospect, Pleasant,
Union, Broad, Market, Water, High, Cherry, Poplar, Sycamore, Magnolia, Dogwood, Laurel, Aspen,
Juniper, Hawthorne, Lakeview, Fairview, Riverside, Glenwood, Woodland, Greenwood, Brookside,
Orchard, Valley, Summit, Cambridge, Oxford, Kingston, Harbor, Mission, Canyon, Mesa, Bayview,
Liberty, Independence, Heritage, Colonial, Stonebridge, Deer Creek, Fox Run, Quail Hollow,
Peachtree, Magnolia Grove, Crescent, Evergreen, Bluebonnet, Palmetto, Mockingbird, Sequoia,
Rosewood, Clearwater, Silver Lake, Cottonwood, Hidden Valley, Old Mill, Kensington, Lafayette
"""
_STREET_TYPES = _expand(
    (
        ("St", 9),
        ("Ave", 8),
        ("Rd", 5),
        ("Dr", 6),
        ("Ln", 4),
        ("Blvd", 2),
        ("Ct", 3),
        ("Way", 2),
        ("Pl", 2),
        ("Ter", 1),
        ("Cir", 1),
        ("Pkwy", 1),
    )
)
_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _streets() -> tuple[str, ...]:
    names = [" ".join(s.split()) for s in _STREET_NAMES.split(",") if s.strip()]
    out = [f"{n} {t}" for n in names for t in _STREET_TYPES]
    for n in range(1, 60):
        suffix = "th" if 10 <= n % 100 <= 20 else _ORDINAL_SUFFIX.get(n % 10, "th")
        out += [f"{n}{suffix} St", f"{n}{suffix} Ave"] * 4
    out += [
        "Martin Luther King Jr Blvd",
        "Cesar Chavez Ave",
        "El Camino Real",
        "Broadway",
        "Route 9",
        "County Road 12",
        "Old Highway 61",
        "Avenida del Sol",
    ] * 6
    return tuple(out)


_STREETS = _streets()
_DIRECTIONS = ("N ", "S ", "E ", "W ")
_UNITS = tuple(
    [f"Apt {f}{c}" for f in range(1, 13) for c in "ABCD"]
    + [f"Apt {f}{n:02d}" for f in range(1, 9) for n in range(1, 13)]
    + [f"Unit {n}" for n in range(1, 41)]
    + [f"#{n}" for n in range(1, 31)]
)

# --- people ----------------------------------------------------------------------------------

_ORDER_WESTERN, _ORDER_HAN, _ORDER_JAPANESE, _ORDER_VIET = range(4)  # a whole name in one field
_MID_NONE, _MID_GIVEN, _MID_POOL, _MID_SURNAME = range(4)  # where middle names come from


@dataclass(frozen=True, slots=True)
class _Culture:
    key: str
    female: _Pools
    male: _Pools
    surnames: tuple[_Surname, ...]
    order: int
    lang: str
    lang_share: tuple[float, float, float]  # native language share: minors, under 35, older
    other_langs: tuple[str, ...]
    middle: int
    middle_share: float
    initial_share: float
    mid_f: _Pool
    mid_m: _Pool
    latin: bool
    english_given: tuple[float, float, float]  # share with English given names, by generation
    english_pref: float
    nick: float
    suffix: float
    hyphen: float
    double: float
    keeps: float  # share of married women / mothers with a surname of their own
    places: tuple[_Locale, ...]
    place_share: float


def _culture(
    key: str,
    *,
    female: str | tuple[str, str, str],
    male: str | tuple[str, str, str],
    surnames: str,
    order: int = _ORDER_WESTERN,
    lang: str = "en",
    lang_share: float = 1.0,
    other_langs: str = "en",
    middle: int = _MID_NONE,
    middle_share: float = 0.0,
    initial_share: float = 0.0,
    mid_f: str = "",
    mid_m: str = "",
    english_given: tuple[float, float, float] = (0.0, 0.0, 0.0),
    english_pref: float = 0.0,
    nick: float = 0.0,
    suffix: float = 0.0,
    hyphen: float = 0.0,
    double: float = 0.0,
    keeps: float = 0.15,
    places: str = "",
    place_share: float = 0.6,
) -> _Culture:
    langs = other_langs.split()
    if lang not in LANGUAGES or any(code not in LANGUAGES for code in langs):
        raise ValueError(f"unknown language in culture {key}")
    young = lang_share if lang == "en" else lang_share * 0.6
    minor = lang_share if lang == "en" else lang_share * 0.8
    locales = tuple(_LOCALE_BY_KEY[p.strip()] for p in places.split(",") if p.strip())
    pools_f, pools_m = _pools(female), _pools(male)
    return _Culture(
        key=key,
        female=pools_f,
        male=pools_m,
        surnames=_surnames(surnames),
        order=order,
        lang=lang,
        lang_share=(minor, young, lang_share),
        other_langs=tuple(langs),
        middle=middle,
        middle_share=middle_share,
        initial_share=initial_share,
        mid_f=_names(mid_f),
        mid_m=_names(mid_m),
        latin=order == _ORDER_WESTERN
        and all(
            "LATIN" in unicodedata.name(name[0][0]) for p in (*pools_f, *pools_m) for name in p
        ),
        english_given=english_given,
        english_pref=english_pref,
        nick=nick,
        suffix=suffix,
        hyphen=hyphen,
        double=double,
        keeps=keeps,
        places=locales,
        place_share=place_share if locales else 0.0,
    )


_EN = _culture(
    "english",
    female=(
        """Emma, Olivia, Ava, Sophia, Isabella, Mia, Charlotte, Amelia, Harper, Evelyn, Abigail,
        Emily*2, Madison*2, Hannah*2, Ashley*2, Alexis, Samantha*2, Taylor, Brianna, Kayla,
        Aaliyah, Zoe, Chloe, Lily, Grace, Nevaeh, Addison, Avery, Layla, Riley, Nora, Hazel,
        Aurora, Stella, Jada, Imani, Destiny, Maya, Savannah, Brooklyn, Elizabeth, Sarah*2,
        Lauren, Megan, Rachel, Morgan, Kaitlyn, Mackenzie, Paige, Sydney""",
        """Jennifer*3, Jessica*2, Amanda*2, Sarah*2, Melissa*2, Michelle*2, Kimberly*2, Lisa*2,
        Angela*2, Heather, Stephanie*2, Amy, Nicole*2, Elizabeth*2, Rebecca, Laura, Christina,
        Rachel, Kelly, Tiffany, Erin, Crystal, Dawn, Tracy, Tammy, Stacy, Wendy, Karen*2, Julie,
        Shannon, Andrea, Megan, Katherine, Danielle, Monica, Tanisha, LaToya, Keisha, April,
        Heidi, Patricia, Susan, Deborah, Cynthia, Denise, Victoria, Christine, Rhonda""",
        """Mary*4, Patricia*3, Linda*3, Barbara*3, Dorothy*2, Betty*2, Margaret*2, Shirley*2,
        Joan, Carol*2, Judith, Helen*2, Ruth, Nancy*2, Sandra*2, Donna*2, Sharon*2, Carolyn,
        Janet, Frances, Virginia, Evelyn, Jean, Gloria, Marilyn, Beverly, Diane, Peggy, Phyllis,
        Norma, Martha, Joyce, Elizabeth*2, Brenda, Kathleen, Judy, Connie, Wanda, Bonnie,
        Loretta, Mildred, Geraldine, Gwendolyn, Bernice, Ethel, Deborah, Susan*2, Rose""",
    ),
    male=(
        """Liam, Noah, Oliver, Elijah, James, William, Benjamin, Lucas, Henry, Alexander, Mason,
        Michael*2, Ethan, Daniel*2, Jacob*2, Logan, Jackson, Levi, Sebastian, Aiden, Jayden,
        Caleb, Tyler*2, Austin, Dylan, Nathan, Christian, Isaiah, Jaylen, Malik, DeShawn,
        D'Andre, Cameron, Hunter, Gavin, Carter, Owen, Wyatt, Grayson, Josiah, Joshua*2,
        Matthew*2, Andrew, Nicholas, Zachary, Brandon, Jonathan, Samuel, Connor""",
        """Michael*4, Christopher*3, Jason*2, David*3, James*2, John*2, Robert*2, Brian*2,
        Matthew*2, Joseph*2, Daniel*2, William*2, Kevin, Eric, Jeffrey, Steven, Timothy, Mark,
        Scott, Anthony, Jeremy, Richard, Thomas, Jonathan, Andrew, Joshua, Aaron, Ryan, Justin,
        Brandon, Travis, Shawn, Derrick, Marcus, Terrence, Jamal, Corey, Chad, Todd, Gregory,
        Patrick, Edward, Samuel, Benjamin, Nicholas, Keith, Darnell""",
        """James*4, Robert*4, John*4, William*3, Richard*3, Charles*3, Donald*2, George*2,
        Thomas*2, Joseph*2, Ronald*2, Kenneth*2, Larry, Gary, Harold, Walter, Raymond, Jerry,
        Dennis, Roger, Gerald, Frank, Paul, Edward*2, Carl, Arthur, Ralph, Eugene, Wayne,
        Billy, Harry, Howard, Earl, Willie, Clarence, Leroy, Lloyd, Herbert, Douglas, Stanley,
        Roy, Melvin, Bobby, Michael*2, David*2, Samuel, Albert, Henry, Jack, Frederick""",
    ),
    surnames="""Smith*10, Johnson*8, Williams*7, Brown*7, Jones*6, Miller*5, Davis*5, Wilson*4,
    Anderson*4, Taylor*4, Thomas*4, Moore*3, Jackson*3, Martin*3, Lee*3, Thompson*3, White*3,
    Harris*3, Clark*3, Lewis*3, Robinson*3, Walker*3, Young*2, Allen*2, King*2, Wright*2,
    Scott*2, Hill*2, Green*2, Adams*2, Baker*2, Nelson*2, Carter*2, Mitchell*2, Roberts*2,
    Turner*2, Phillips*2, Campbell*2, Parker*2, Evans*2, Edwards*2, Collins*2, Stewart*2,
    Morris, Rogers, Reed, Cook, Morgan, Bell, Cooper, Richardson, Cox, Howard, Ward, Peterson,
    Gray, James, Watson, Brooks, Sanders, Price, Bennett, Wood, Barnes, Ross, Henderson,
    Coleman, Jenkins, Perry, Powell, Long, Patterson, Hughes, Washington, Butler, Simmons,
    Foster, Bryant, Alexander, Russell, Griffin, Hayes, Myers, Ford, Hamilton, Graham,
    Sullivan, Wallace, Woods, Cole, West, Jordan, Owens, Reynolds, Fisher, Ellis, Harrison,
    Gibson, McDonald, Marshall, Schmidt, Schultz, Becker, Hoffman, Koch, Wagner, Meyer,
    Olson, Larson, Nielsen, Johansson, Cohen, Goldberg, Katz, Levy, Rosen, Friedman,
    Thibodeaux, Boudreaux, LeBlanc, Guidry, Hébert, Van Dyke, VanderMeer, MacDonald,
    St. John, Müller, Schröder""",
    lang_share=0.98,
    other_langs="es es fr pl",
    middle=_MID_GIVEN,
    middle_share=0.55,
    initial_share=0.25,
    nick=0.3,
    suffix=0.07,
    hyphen=0.03,
    keeps=0.2,
)

_IRISH = _culture(
    "irish",
    female="""Siobhán, Niamh, Aoife, Saoirse, Caoimhe, Róisín, Erin*2, Maeve, Nora, Kathleen*2,
    Bridget*2, Sinéad, Aisling, Fiona, Colleen*2, Shannon, Molly, Megan, Mary*2, Maureen*2""",
    male="""Seán*2, Pádraig, Ciarán, Eoin, Liam, Declan, Cormac, Aidan, Brendan, Kieran,
    Connor*2, Patrick*3, Kevin, Brian, Dermot, Colm, Finn, Ronan, Michael*2, Thomas""",
    surnames="""O'Brien*3, O'Connor*2, O'Neill*2, O'Sullivan*2, O'Reilly, O'Donnell, O'Malley,
    O'Hara, O'Leary, O'Shea, O'Rourke, Murphy*3, Kelly*2, Walsh*2, Byrne, Ryan*2, McCarthy*2,
    Fitzgerald, Doyle, Gallagher, Kennedy, Lynch, Quinn, Brennan, Flanagan, Donovan,
    McLaughlin, McGuire, MacNamara, Ó Briain/Ní Bhriain, Ó Murchú/Ní Mhurchú""",
    middle=_MID_GIVEN,
    middle_share=0.5,
    initial_share=0.2,
    english_given=(0.5, 0.5, 0.5),
    nick=0.3,
    suffix=0.05,
    hyphen=0.02,
    keeps=0.15,
    places="Boston MA, New York NY, Brooklyn NY, Philadelphia PA, Worcester MA, Providence RI",
    place_share=0.4,
)

_ITALIAN = _culture(
    "italian",
    female="""Maria*2, Rosa, Giovanna, Antonietta, Carmela, Angela*2, Concetta, Teresa*2, Gina*2,
    Francesca, Giulia, Lucia, Anna, Sofia""",
    male="""Giuseppe, Antonio*2, Salvatore*2, Vincenzo, Giovanni*2, Francesco, Anthony*3,
    Joseph*2, Vincent*2, Dominic*2, Frank*2, Carmine, Marco, Luca""",
    surnames="""Russo*2, Romano, Esposito*2, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti,
    De Luca, D'Angelo*2, DiNapoli, Lombardi, Moretti, Barbieri, Fontana, Caruso, Ferrara,
    Rinaldi, D'Amico, DeMarco, Costa, Giordano, Mancini""",
    middle=_MID_GIVEN,
    middle_share=0.45,
    initial_share=0.2,
    english_given=(0.6, 0.6, 0.4),
    nick=0.3,
    suffix=0.06,
    keeps=0.15,
    places="New York NY, Brooklyn NY, Philadelphia PA, Boston MA, Newark NJ, Providence RI",
    place_share=0.4,
)

_SPANISH = _culture(
    "spanish",
    female=(
        """Sofía*2, Valentina*2, Camila*2, Ximena, Daniela*2, Isabella*2, Lucía, Mariana*2,
        Fernanda, Itzel, Yesenia, Andrea, Natalia, Valeria, Paola, Jimena, Renata, Génesis,
        Abril, Dulce María""",
        """María*3, Verónica, Leticia, Patricia, Adriana*2, Gabriela*2, Alejandra*2, Araceli,
        Maricela, Marisol*2, Claudia, Elizabeth, Mónica, Sandra, Yolanda, Rocío, Liliana,
        María José, Ana*2""",
        """María*5, Guadalupe*2, Juana, Margarita, Rosa*2, Carmen*2, Dolores, Concepción,
        Graciela, Beatriz, Inés, Noemí, Esperanza, Socorro, Josefina, Teresa, Ofelia, Elvira,
        Ana""",
    ),
    male=(
        """Santiago*2, Mateo*2, Diego*2, Emiliano, Sebastián*2, Ángel, Julián, Alejandro,
        Adrián, Leonardo, Matías, Iker, Gael, Jesús, Luis*2, Carlos, Jorge, Daniel, Joaquín""",
        """José*3, Juan*3, Luis*2, Carlos*2, Miguel*2, Francisco, Alejandro, Jorge, Ricardo,
        Fernando, Javier*2, Eduardo, Raúl, Andrés, Sergio, Héctor, Óscar, Rubén, Iván,
        Juan Carlos""",
        """José*5, Juan*3, Manuel*2, Antonio*2, Francisco*2, Jesús*2, Pedro, Roberto, Ramón,
        Efraín, Ignacio, Ernesto, Alfonso, Arturo, Guillermo, Rafael, Salvador, Enrique""",
    ),
    surnames="""García*6, Rodríguez*5, Martínez*5, Hernández*5, López*5, González*5, Pérez*4,
    Sánchez*4, Ramírez*4, Torres*3, Flores*3, Rivera*3, Gómez*3, Díaz*3, Reyes*2, Morales*2,
    Cruz*2, Ortiz*2, Gutiérrez*2, Chávez*2, Ramos*2, Ruiz*2, Jiménez, Mendoza, Álvarez,
    Castillo, Vásquez, Moreno, Romero, Herrera, Medina, Aguilar, Vargas, Castro, Guzmán,
    Fernández, Muñoz, Salazar, Peña, Domínguez, Núñez, Ibarra, Ávila, Cortés, Quiñones, Méndez,
    Delgado, Rosario, de la Cruz, De León, Santiago, Espinoza, Navarro, Soto, Contreras,
    Valdez, Cervantes, Ochoa, Calderón, Echeverría, Zúñiga""",
    lang="es",
    lang_share=0.6,
    middle=_MID_GIVEN,
    middle_share=0.25,
    initial_share=0.1,
    english_given=(0.35, 0.15, 0.05),
    nick=0.12,
    suffix=0.04,
    hyphen=0.08,
    double=0.12,
    keeps=0.55,
    places="""Los Angeles CA, Houston TX, San Antonio TX, Miami FL, El Paso TX, Phoenix AZ,
    Chicago IL, Albuquerque NM, Fresno CA, San Juan PR, Dallas TX, New York NY, Denver CO,
    San Diego CA, Tucson AZ, Orlando FL""",
)

_VIET = _culture(
    "vietnamese",
    female="""Lan, Hương, Linh*2, Trang, Thảo, Ngọc*2, Hoa, Mai*2, Thủy, Hạnh, Phương, Hằng, Nga,
    Anh*2, Vy, Nhung, Tuyết, Hiền, Yến, Loan, Diễm, Thúy, Khánh Linh, Bảo Ngọc""",
    male="""Minh*2, Tuấn, Hùng, Dũng, Long, Nam*2, Thành, Hải, Quang, Phúc, Khoa, Bảo, Huy*2, Đức,
    Trung, Sơn, Tâm, Việt, Hiếu, Thắng, Cường, Khang, Vinh, Lộc""",
    surnames="""Nguyễn*10, Trần*3, Lê*3, Phạm*2, Hoàng, Huỳnh*2, Phan, Vũ, Võ, Đặng, Bùi, Đỗ, Hồ,
    Ngô, Dương, Lý, Trương, Đinh, Lâm, Mai""",
    order=_ORDER_VIET,
    lang="vi",
    lang_share=0.7,
    middle=_MID_POOL,
    middle_share=0.8,
    mid_f="Thị*6, Ngọc, Thanh, Kim, Thu, Bích, Hồng, Mỹ",
    mid_m="Văn*5, Đức, Minh, Quốc, Hữu, Thanh, Công, Xuân",
    english_given=(0.45, 0.15, 0.02),
    english_pref=0.3,
    hyphen=0.01,
    keeps=0.9,
    places="""Garden Grove CA, San Jose CA, Houston TX, Seattle WA, Dallas TX, New Orleans LA,
    Sacramento CA, Annandale VA, Philadelphia PA, San Diego CA""",
)

_CN_LATIN = _culture(
    "chinese_latin",
    female="""Wei, Jing*2, Min, Yan*2, Li, Hui, Ling*2, Mei*2, Xin, Fang, Hong, Xiaoling,
    Xiuying, Lihua, Yu, Ying, Ka Yan, Mei Ling, Wing Sze, Siu Ling""",
    male="""Wei*2, Jun*2, Ming*2, Lei, Qiang, Yong, Jian, Hao, Jie, Tao, Xiaoming, Zhiqiang,
    Jianhua, Bowen, Haoran, Chi Ming, Ka Ho, Chun Kit, Wai Man""",
    surnames="""Wang*4, Li*4, Zhang*3, Liu*2, Chen*3, Yang*2, Huang*2, Zhao, Wu*2, Zhou, Xu, Sun,
    Ma, Zhu, Hu, Guo, Lin*2, He, Gao, Luo, Chan*2, Wong*2, Leung, Cheung, Lau, Ng, Ho, Lam,
    Tse, Yip, Lee*2, Chang, Tsai, Ouyang""",
    lang="zh",
    lang_share=0.55,
    english_given=(0.4, 0.15, 0.02),
    english_pref=0.25,
    keeps=0.85,
    places="""San Francisco CA, Flushing NY, New York NY, Oakland CA, San Jose CA, Los Angeles CA,
    Boston MA, Seattle WA, Houston TX, Brooklyn NY""",
)

_CN_SIMPLIFIED = _culture(
    "chinese",
    female="""秀英=Xiuying*2, 桂英=Guiying, 秀兰=Xiulan, 玉兰=Yulan, 丽=Li, 静=Jing*2, 敏=Min,
    婷=Ting, 雪梅=Xuemei, 丽华=Lihua, 芳=Fang*2, 娜=Na, 燕=Yan, 欣怡=Xinyi, 梓涵=Zihan,
    雨桐=Yutong, 诗涵=Shihan, 思琪=Siqi, 佳怡=Jiayi, 晓红=Xiaohong, 淑珍=Shuzhen, 美华=Meihua""",
    male="""伟=Wei*2, 强=Qiang, 磊=Lei, 军=Jun, 勇=Yong, 杰=Jie, 涛=Tao, 明=Ming*2, 超=Chao,
    建华=Jianhua, 建国=Jianguo, 志强=Zhiqiang, 国强=Guoqiang, 海=Hai, 浩然=Haoran,
    子轩=Zixuan, 宇轩=Yuxuan, 俊杰=Junjie, 博文=Bowen, 家豪=Jiahao, 文杰=Wenjie, 浩=Hao""",
    surnames="""王=Wang*5, 李=Li*5, 张=Zhang*5, 刘=Liu*4, 陈=Chen*4, 杨=Yang*3, 黄=Huang*2,
    赵=Zhao*2, 吴=Wu*2, 周=Zhou*2, 徐=Xu, 孙=Sun, 马=Ma, 朱=Zhu, 胡=Hu, 郭=Guo, 何=He, 林=Lin,
    罗=Luo, 高=Gao, 梁=Liang, 郑=Zheng, 谢=Xie, 宋=Song, 唐=Tang, 邓=Deng, 冯=Feng, 韩=Han,
    曹=Cao, 欧阳=Ouyang""",
    order=_ORDER_HAN,
    lang="zh",
    lang_share=0.8,
    english_pref=0.3,
    keeps=0.9,
    places="""San Francisco CA, Flushing NY, New York NY, Oakland CA, San Jose CA, Los Angeles CA,
    Boston MA, Seattle WA, Houston TX""",
)

_CN_TRADITIONAL = _culture(
    "chinese_traditional",
    female="""美玲=Mei Ling*2, 嘉欣=Ka Yan, 詠詩=Wing Sze, 淑芬=Shufen, 雅婷=Yating, 怡君=Yijun,
    麗華=Lai Wah, 慧敏=Wai Man, 佩珊=Pui Shan, 秀琴=Siu Kam""",
    male="""志明=Chi Ming*2, 家豪=Ka Ho, 俊傑=Chun Kit, 偉強=Wai Keung, 國華=Kwok Wah,
    建宏=Chien Hung, 志豪=Chih Hao, 文雄=Man Hung, 子豪=Tsz Ho""",
    surnames="""陳=Chan*4, 黃=Wong*3, 李=Lee*3, 張=Cheung*2, 梁=Leung*2, 林=Lam*2, 劉=Lau*2, 吳=Ng,
    何=Ho, 鄭=Cheng, 王=Wang, 蔡=Tsai, 許=Hsu""",
    order=_ORDER_HAN,
    lang="zh",
    lang_share=0.75,
    english_pref=0.35,
    keeps=0.9,
    places="""San Francisco CA, Flushing NY, New York NY, Oakland CA, Los Angeles CA, Boston MA,
    Seattle WA""",
)

_KOREAN = _culture(
    "korean",
    female=(
        "서연=Seoyeon, 지우=Jiwoo, 민서=Minseo, 하은=Haeun, 지민=Jimin, 수빈=Subin, 유진=Yujin",
        """은정=Eunjung, 혜진=Hyejin, 수진=Sujin*2, 지현=Jihyun, 지영=Jiyoung*2, 현주=Hyunjoo,
        미경=Mikyung, 은영=Eunyoung""",
        "영희=Younghee*2, 미숙=Misook, 정희=Junghee, 순자=Soonja*2, 영자=Youngja, 옥순=Oksoon",
    ),
    male=(
        "민준=Minjun, 서준=Seojun, 도윤=Doyun, 지호=Jiho, 현우=Hyunwoo, 재민=Jaemin, 민호=Minho",
        """준호=Junho, 성민=Sungmin, 정호=Jungho, 상훈=Sanghoon, 동현=Donghyun, 승현=Seunghyun,
        태현=Taehyun, 성훈=Sunghoon""",
        "영수=Youngsoo*2, 영호=Youngho, 광수=Kwangsoo, 철수=Chulsoo, 정수=Jungsoo, 상철=Sangchul",
    ),
    surnames="""김=Kim*10, 이=Lee*7, 박=Park*4, 최=Choi*2, 정=Jung*2, 강=Kang, 조=Cho, 윤=Yoon,
    장=Jang, 임=Lim, 한=Han, 오=Oh, 서=Seo, 신=Shin, 권=Kwon, 황=Hwang, 안=Ahn, 송=Song,
    류=Yoo, 홍=Hong""",
    order=_ORDER_HAN,
    lang="ko",
    lang_share=0.75,
    english_pref=0.3,
    keeps=0.95,
    places="""Los Angeles CA, Fort Lee NJ, Flushing NY, Atlanta GA, Annandale VA, Seattle WA,
    Honolulu HI, Dallas TX""",
)

_KOREAN_LATIN = _culture(
    "korean_latin",
    female="""Seo-yeon, Ji-woo, Min-seo, Ji-min, Eun-jung, Hye-jin, Su-jin, Ji-young, Young-hee,
    Mi-sook, Soon-ja, Yujin, Sujin""",
    male="""Min-jun, Seo-jun, Ji-ho, Hyun-woo, Jun-ho, Sung-min, Sang-hoon, Dong-hyun, Young-soo,
    Kwang-soo, Jae-min, Minho""",
    surnames="""Kim*10, Lee*7, Park*4, Choi*2, Jung*2, Kang, Cho, Yoon, Jang, Lim, Han, Oh, Shin,
    Kwon""",
    lang="ko",
    lang_share=0.45,
    english_given=(0.5, 0.3, 0.1),
    english_pref=0.2,
    keeps=0.9,
    places="""Los Angeles CA, Fort Lee NJ, Flushing NY, Atlanta GA, Annandale VA, Seattle WA,
    Honolulu HI""",
)

_JAPANESE = _culture(
    "japanese",
    female="""陽菜=Hina, 結衣=Yui, 美咲=Misaki, さくら=Sakura, 花子=Hanako, 恵子=Keiko*2,
    洋子=Yoko, 幸子=Sachiko, 由美=Yumi, 明美=Akemi, 愛=Ai, 真由美=Mayumi, 葵=Aoi, 芽依=Mei""",
    male="""蓮=Ren, 陽翔=Haruto, 大翔=Hiroto, 翔太=Shota, 健太=Kenta, 大輔=Daisuke, 拓也=Takuya,
    誠=Makoto, 茂=Shigeru, 博=Hiroshi, 隆=Takashi, 健一=Kenichi, 和夫=Kazuo, 悠真=Yuma""",
    surnames="""佐藤=Sato*3, 鈴木=Suzuki*3, 高橋=Takahashi*2, 田中=Tanaka*2, 伊藤=Ito,
    渡辺=Watanabe, 山本=Yamamoto, 中村=Nakamura, 小林=Kobayashi, 加藤=Kato, 吉田=Yoshida,
    山田=Yamada, 佐々木=Sasaki, 山口=Yamaguchi, 松本=Matsumoto, 井上=Inoue, 木村=Kimura, 林=Hayashi,
    清水=Shimizu, 森=Mori""",
    order=_ORDER_JAPANESE,
    lang_share=1.0,  # Japanese is not in LANGUAGES
    english_pref=0.1,
    keeps=0.05,
    places="""Honolulu HI, Los Angeles CA, San Francisco CA, San Jose CA, Seattle WA,
    Sacramento CA, New York NY""",
)

_JAPANESE_LATIN = _culture(
    "japanese_latin",
    female="Keiko, Yuki, Emiko, Naomi, Hana, Akiko, Yoko, Mariko",
    male="Kenji, Hiroshi, Takeshi, Kazuo, Masao, Ken, Daisuke, Haruto",
    surnames="""Tanaka*2, Suzuki*2, Sato*2, Nakamura, Yamamoto, Watanabe, Kobayashi, Yoshida,
    Inouye, Matsumoto, Fujimoto, Okada, Shimizu, Higa, Nakashima, Ito""",
    middle=_MID_GIVEN,
    middle_share=0.3,
    english_given=(0.85, 0.8, 0.7),
    nick=0.3,
    suffix=0.03,
    keeps=0.1,
    places="Honolulu HI, Los Angeles CA, San Francisco CA, San Jose CA, Seattle WA, Sacramento CA",
    place_share=0.7,
)

_RUSSIAN = _culture(
    "russian",
    female="""Анна=Anna*2, Мария=Maria, Елена=Elena*2, Ольга=Olga*2, Наталья=Natalya*2,
    Татьяна=Tatyana*2, Ирина=Irina*2, Светлана=Svetlana*2, Екатерина=Ekaterina*2, Юлия=Yulia,
    Людмила=Lyudmila, Галина=Galina, Анастасия=Anastasia, Дарья=Daria, Софья=Sofya,
    Виктория=Viktoria, Ксения=Ksenia, Марина=Marina, Вера=Vera, Надежда=Nadezhda""",
    male="""Александр=Aleksandr*3, Сергей=Sergei*2, Дмитрий=Dmitry*2, Андрей=Andrei*2,
    Алексей=Aleksei*2, Иван=Ivan, Михаил=Mikhail, Николай=Nikolai, Владимир=Vladimir*2,
    Евгений=Evgeny, Максим=Maksim, Павел=Pavel, Юрий=Yuri, Борис=Boris, Виктор=Viktor, Олег=Oleg,
    Артём=Artyom, Игорь=Igor, Григорий=Grigory, Фёдор=Fyodor""",
    surnames="""Иванов/Иванова=Ivanov/Ivanova*3, Смирнов/Смирнова=Smirnov/Smirnova*3,
    Кузнецов/Кузнецова=Kuznetsov/Kuznetsova*2, Попов/Попова=Popov/Popova*2,
    Васильев/Васильева=Vasiliev/Vasilieva, Петров/Петрова=Petrov/Petrova*2,
    Соколов/Соколова=Sokolov/Sokolova, Михайлов/Михайлова=Mikhailov/Mikhailova,
    Новиков/Новикова=Novikov/Novikova, Фёдоров/Фёдорова=Fedorov/Fedorova,
    Морозов/Морозова=Morozov/Morozova, Волков/Волкова=Volkov/Volkova,
    Лебедев/Лебедева=Lebedev/Lebedeva, Козлов/Козлова=Kozlov/Kozlova,
    Павлов/Павлова=Pavlov/Pavlova, Орлов/Орлова=Orlov/Orlova, Зайцев/Зайцева=Zaitsev/Zaitseva,
    Белов/Белова=Belov/Belova, Соловьёв/Соловьёва=Solovyov/Solovyova,
    Левин/Левина=Levin/Levina, Каплан=Kaplan, Рабинович=Rabinovich""",
    lang="ru",
    lang_share=0.7,
    other_langs="en en en en uk",
    middle=_MID_POOL,
    middle_share=0.35,
    mid_f="""Александровна=Aleksandrovna, Сергеевна=Sergeevna, Ивановна=Ivanovna,
    Владимировна=Vladimirovna, Николаевна=Nikolaevna, Михайловна=Mikhailovna,
    Петровна=Petrovna, Андреевна=Andreevna, Дмитриевна=Dmitrievna, Юрьевна=Yurievna,
    Викторовна=Viktorovna, Борисовна=Borisovna""",
    mid_m="""Александрович=Aleksandrovich, Сергеевич=Sergeevich, Иванович=Ivanovich,
    Владимирович=Vladimirovich, Николаевич=Nikolaevich, Михайлович=Mikhailovich,
    Петрович=Petrovich, Андреевич=Andreevich, Дмитриевич=Dmitrievich, Юрьевич=Yurievich,
    Викторович=Viktorovich, Борисович=Borisovich""",
    nick=0.2,
    keeps=0.1,
    places="""Brooklyn NY, Sacramento CA, Seattle WA, Philadelphia PA, Chicago IL, Portland OR,
    Boston MA, New York NY""",
)

_UKRAINIAN = _culture(
    "ukrainian",
    female="""Оксана=Oksana*2, Олена=Olena*2, Наталія=Nataliia, Ірина=Iryna*2, Тетяна=Tetiana,
    Світлана=Svitlana, Юлія=Yuliia, Марія=Mariia, Галина=Halyna, Людмила=Liudmyla,
    Ганна=Hanna, Катерина=Kateryna, Соломія=Solomiia, Дарина=Daryna, Христина=Khrystyna,
    Вікторія=Viktoriia, Зоряна=Zoriana, Богдана=Bohdana""",
    male="""Олександр=Oleksandr*2, Андрій=Andrii*2, Сергій=Serhii, Володимир=Volodymyr,
    Микола=Mykola, Іван=Ivan, Василь=Vasyl, Тарас=Taras, Богдан=Bohdan, Дмитро=Dmytro,
    Олег=Oleh, Юрій=Yurii, Петро=Petro, Михайло=Mykhailo, Ярослав=Yaroslav, Остап=Ostap,
    Віталій=Vitalii, Максим=Maksym""",
    surnames="""Шевченко=Shevchenko*3, Коваленко=Kovalenko*2, Бондаренко=Bondarenko*2,
    Ткаченко=Tkachenko, Кравченко=Kravchenko, Олійник=Oliinyk, Шевчук=Shevchuk, Коваль=Koval,
    Поліщук=Polishchuk, Бойко=Boiko*2, Ткачук=Tkachuk, Мельник=Melnyk*2, Савченко=Savchenko,
    Руденко=Rudenko, Мороз=Moroz, Лисенко=Lysenko, Петренко=Petrenko, Марченко=Marchenko,
    Гнатюк=Hnatiuk, Кузьменко=Kuzmenko, Ковальський/Ковальська=Kovalskyi/Kovalska,
    Савицький/Савицька=Savytskyi/Savytska""",
    lang="uk",
    lang_share=0.5,
    other_langs="ru ru en en en",
    middle=_MID_POOL,
    middle_share=0.3,
    mid_f="""Іванівна=Ivanivna, Петрівна=Petrivna, Миколаївна=Mykolaivna, Василівна=Vasylivna,
    Олександрівна=Oleksandrivna""",
    mid_m="""Іванович=Ivanovych, Петрович=Petrovych, Миколайович=Mykolaiovych,
    Васильович=Vasylovych, Олександрович=Oleksandrovych""",
    keeps=0.1,
    places="""Chicago IL, Philadelphia PA, Brooklyn NY, Sacramento CA, Portland OR, Cleveland OH,
    Detroit MI, Newark NJ""",
)

_GREEK = _culture(
    "greek",
    female="""Μαρία=Maria*3, Ελένη=Eleni*2, Αικατερίνη=Aikaterini*2, Βασιλική=Vasiliki,
    Σοφία=Sofia, Αγγελική=Angeliki, Γεωργία=Georgia, Δήμητρα=Dimitra, Κωνσταντίνα=Konstantina,
    Ευαγγελία=Evangelia, Ιωάννα=Ioanna, Χριστίνα=Christina, Παναγιώτα=Panagiota,
    Ειρήνη=Eirini, Αναστασία=Anastasia, Δέσποινα=Despoina""",
    male="""Γεώργιος=Georgios*3, Ιωάννης=Ioannis*2, Κωνσταντίνος=Konstantinos*2,
    Δημήτριος=Dimitrios*2, Νικόλαος=Nikolaos*2, Παναγιώτης=Panagiotis, Βασίλειος=Vasileios,
    Χρήστος=Christos, Αθανάσιος=Athanasios, Μιχαήλ=Michail, Ευάγγελος=Evangelos,
    Σπυρίδων=Spyridon, Αντώνιος=Antonios, Αλέξανδρος=Alexandros, Θεόδωρος=Theodoros,
    Σταύρος=Stavros""",
    surnames="""Παπαδόπουλος/Παπαδοπούλου=Papadopoulos/Papadopoulou*3,
    Παπαδάκης/Παπαδάκη=Papadakis/Papadaki, Γεωργίου=Georgiou*2, Οικονόμου=Oikonomou,
    Νικολάου=Nikolaou, Παπανικολάου=Papanikolaou, Βασιλείου=Vasileiou, Ιωάννου=Ioannou,
    Δημητρίου=Dimitriou, Αντωνίου=Antoniou, Κωνσταντίνου=Konstantinou, Μακρής/Μακρή=Makris/Makri,
    Καραγιάννης/Καραγιάννη=Karagiannis/Karagianni, Παππάς/Παππά=Pappas/Pappa,
    Αλεξίου=Alexiou, Χριστοδούλου=Christodoulou, Αθανασίου=Athanasiou,
    Σταυρόπουλος/Σταυροπούλου=Stavropoulos/Stavropoulou,
    Μιχαηλίδης/Μιχαηλίδου=Michailidis/Michailidou, Θεοδωρίδης/Θεοδωρίδου=Theodoridis/Theodoridou""",
    lang="el",
    lang_share=0.55,
    nick=0.3,
    keeps=0.1,
    places="""Astoria NY, Chicago IL, Tarpon Springs FL, Boston MA, Detroit MI, Baltimore MD,
    New York NY""",
)

_POLISH = _culture(
    "polish",
    female="""Anna*2, Maria, Katarzyna*2, Małgorzata*2, Agnieszka*2, Barbara, Ewa*2, Krystyna,
    Elżbieta*2, Zofia, Joanna, Magdalena, Monika, Grażyna, Danuta, Jadwiga, Halina, Zuzanna,
    Julia, Wiktoria""",
    male="""Piotr*2, Krzysztof*2, Andrzej*2, Tomasz*2, Paweł, Jan*2, Michał, Marcin, Stanisław,
    Jakub, Adam, Marek, Łukasz, Grzegorz, Wojciech, Mateusz, Kazimierz, Józef, Zbigniew,
    Tadeusz""",
    surnames="""Nowak*4, Kowalski/Kowalska*3, Wiśniewski/Wiśniewska*2, Wójcik*2, Kowalczyk*2,
    Kamiński/Kamińska*2, Lewandowski/Lewandowska*2, Zieliński/Zielińska,
    Szymański/Szymańska, Woźniak, Dąbrowski/Dąbrowska, Kozłowski/Kozłowska,
    Jankowski/Jankowska, Mazur, Kwiatkowski/Kwiatkowska, Krawczyk, Piotrowski/Piotrowska,
    Grabowski/Grabowska, Pawłowski/Pawłowska, Michalski/Michalska, Król, Wieczorek,
    Jabłoński/Jabłońska""",
    lang="pl",
    lang_share=0.5,
    middle=_MID_GIVEN,
    middle_share=0.2,
    english_given=(0.4, 0.2, 0.1),
    hyphen=0.02,
    keeps=0.1,
    places="""Chicago IL, Brooklyn NY, Detroit MI, Milwaukee WI, Cleveland OH, Pittsburgh PA,
    Newark NJ, Jersey City NJ""",
)

_FRENCH = _culture(
    "french",
    female="""Marie*2, Camille, Léa, Chloé, Manon, Inès, Sophie, Nathalie*2, Isabelle*2, Sylvie,
    Catherine, Françoise, Hélène, Céline, Élodie, Amélie, Geneviève, Margaux, Océane, Zoé,
    Marie-Claire, Anne-Sophie, Marie-Hélène""",
    male="""Jean*2, Pierre*2, Michel, Philippe, Alain, Nicolas, François, Laurent, Julien,
    Étienne, Mathieu, Sébastien, Guillaume, Antoine, Luc, Olivier, Thierry, Hugo, Lucas, Théo,
    Jean-Pierre, Jean-Luc, Jean-Baptiste""",
    surnames="""Martin*2, Bernard, Dubois*2, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau,
    Simon, Laurent, Lefèvre, Michel, Fournier, Girard, Bonnet, Dupont, Lambert, Fontaine,
    Rousseau, Vincent, Mercier, Chevalier, Boyer, Blanchard, Gauthier, Lefebvre, Pierre-Louis,
    Jean-Baptiste, Désir, Toussaint""",
    lang="fr",
    lang_share=0.4,
    middle=_MID_GIVEN,
    middle_share=0.3,
    english_given=(0.3, 0.2, 0.1),
    hyphen=0.02,
    keeps=0.3,
    places="""New Orleans LA, Lafayette LA, Boston MA, Burlington VT, Portland ME, Manchester NH,
    Miami FL, Brooklyn NY""",
)

_ARABIC = _culture(
    "arabic",
    female="""Fatima*2, Aisha, Mariam*2, Layla*2, Noor, Yasmin, Huda, Rania, Zainab, Amira, Hana,
    Salma, Dina, Lina, Rana, Nadia, Samira, Leila""",
    male="""Mohammed*3, Ahmed*2, Ali*2, Omar*2, Yusuf, Ibrahim, Khalid, Hassan, Hussein, Mahmoud,
    Mustafa, Karim, Tariq, Sami, Bilal, Hamza, Adam, Ziad, Nabil, Walid""",
    surnames="""Haddad*2, Khoury*2, Mansour, Saleh, Hassan*2, Ibrahim, Ahmed, Ali, Abdullah, Nasser,
    Farah, Khalil, Hamdan, Aziz, Rahman, Youssef, Said, Al-Sayed, El-Amin, Abu-Ghazaleh,
    Al-Hashimi, Darwish, Jaber, Odeh, Shaheen, Barakat, Najjar, Habib""",
    lang="ar",
    lang_share=0.55,
    middle=_MID_GIVEN,
    middle_share=0.2,
    english_given=(0.15, 0.05, 0.0),
    keeps=0.8,
    places="""Dearborn MI, Detroit MI, Brooklyn NY, Houston TX, Chicago IL, Los Angeles CA,
    Newark NJ""",
)

_FILIPINO = _culture(
    "filipino",
    female="""Maria*2, Rosario, Maricel, Jocelyn, Marites, Lourdes, Cristina, Rowena, Jennifer,
    Kristine, Angelica, Princess, Althea, Divina, Erlinda, Remedios, Corazon, Teresita,
    Ma. Teresa""",
    male="""Jose*2, Juan, Rodrigo, Ramon, Eduardo, Romeo, Ferdinand, Reynaldo, Rolando, Danilo,
    Jerome, Mark, John Paul, Christian, Jomar, Angelo, Emmanuel, Marvin, Ronaldo""",
    surnames="""Santos*3, Reyes*3, Cruz*2, Bautista*2, Ocampo, Garcia*2, Mendoza, Torres, Tomas,
    Andrada, Castillo, Flores, Villanueva, Ramos, Castro, Rivera, Aquino, Navarro, Salazar,
    Mercado, dela Cruz*2, de Guzman, Dizon, Manalo, Pascual, Soriano, Macaraeg, Lim, Tan,
    Magbanua""",
    lang="tl",
    lang_share=0.3,
    middle=_MID_SURNAME,  # the mother's maiden name
    middle_share=0.6,
    english_given=(0.3, 0.3, 0.2),
    nick=0.2,
    suffix=0.06,
    keeps=0.1,
    places="""Daly City CA, Los Angeles CA, San Diego CA, Honolulu HI, Las Vegas NV, Seattle WA,
    Chicago IL, Jersey City NJ""",
)

_CULTURE_WEIGHTS: tuple[tuple[_Culture, int], ...] = (
    (_EN, 520),
    (_IRISH, 40),
    (_ITALIAN, 25),
    (_SPANISH, 150),
    (_VIET, 35),
    (_CN_LATIN, 20),
    (_CN_SIMPLIFIED, 30),
    (_CN_TRADITIONAL, 12),
    (_KOREAN, 22),
    (_KOREAN_LATIN, 10),
    (_JAPANESE, 10),
    (_JAPANESE_LATIN, 8),
    (_RUSSIAN, 20),
    (_UKRAINIAN, 15),
    (_GREEK, 13),
    (_POLISH, 20),
    (_FRENCH, 15),
    (_ARABIC, 20),
    (_FILIPINO, 25),
)
_CULTURES = tuple(c for c in _expand(_CULTURE_WEIGHTS) if isinstance(c, _Culture))


def _nicknames(spec: str) -> dict[str, _Pool]:
    """'Name: Nick Nick2; …' → {name: nicknames}; 'Ника=Nika' gives a romanization."""
    out: dict[str, _Pool] = {}
    for entry in spec.split(";"):
        if entry.strip():
            name, _, nicks = entry.partition(":")
            key = unicodedata.normalize("NFC", name.strip())
            out[key] = _names(",".join(nicks.split()))
    return out


_NICKNAMES = _nicknames(
    """William: Bill Will Billy Liam; Robert: Bob Rob Bobby; Richard: Rick Rich Dick;
    James: Jim Jimmy Jamie; John: Jack Johnny; Michael: Mike Mikey; Joseph: Joe Joey;
    Thomas: Tom Tommy; Charles: Charlie Chuck; Christopher: Chris; Matthew: Matt;
    Jonathan: Jon; Joshua: Josh; Nicholas: Nick; Alexander: Alex Xander; Anthony: Tony;
    Daniel: Dan Danny; Edward: Ed Eddie Ted; Benjamin: Ben; Samuel: Sam Sammy;
    Zachary: Zach; Gregory: Greg; Timothy: Tim; Jeffrey: Jeff; Steven: Steve; Andrew: Andy Drew;
    Kenneth: Ken Kenny; Donald: Don Donnie; Ronald: Ron Ronnie; Gerald: Jerry; Frederick: Fred;
    Harold: Hal; Raymond: Ray; Douglas: Doug; Stanley: Stan; Albert: Al; Lawrence: Larry;
    Jacob: Jake; Nathan: Nate; Cameron: Cam; Patrick: Pat Paddy; Dominic: Dom; Vincent: Vince;
    Jennifer: Jen Jenny; Elizabeth: Liz Beth Betsy Lizzie; Katherine: Kate Katie Kathy;
    Kathleen: Kathy Kat; Margaret: Peggy Maggie Meg; Patricia: Pat Patty Trish;
    Deborah: Deb Debbie; Susan: Sue Susie; Rebecca: Becky Becca; Victoria: Vicky Tori;
    Christina: Tina Chris; Christine: Chris; Samantha: Sam; Alexandra: Alex; Abigail: Abby;
    Madison: Maddie; Jessica: Jess Jessie; Stephanie: Steph; Kimberly: Kim; Cynthia: Cindy;
    Dorothy: Dot Dottie; Barbara: Barb Barbie; Frances: Fran; Virginia: Ginny; Judith: Judy;
    Carolyn: Carol; Gwendolyn: Gwen; Mildred: Millie; Theresa: Terry; Teresa: Terry;
    Francesca: Fran;
    José: Pepe; Francisco: Paco Pancho Frank; Guadalupe: Lupe; Ignacio: Nacho; Jesús: Chuy;
    Alejandro: Alex Álex; Roberto: Beto; Dolores: Lola; Concepción: Conchita Connie;
    Eduardo: Lalo; Enrique: Kike; Guillermo: Memo; Salvador: Chava;
    Alejandra: Ale; Mariana: Mari; Josefina: Pepita; Rosario: Charo Rosie;
    Jose: Joey; Ferdinand: Ferdie; Corazon: Cory; Emmanuel: Manny; Remedios: Medy;
    Seán: Shawn; Pádraig: Paddy; Giuseppe: Joe Pino; Salvatore: Sal; Giovanni: John Gianni;
    Vincenzo: Vince Enzo;
    Александр: Саша=Sasha Alex; Дмитрий: Дима=Dima; Алексей: Лёша=Lyosha Alex;
    Михаил: Миша=Misha; Николай: Коля=Kolya; Владимир: Володя=Volodya;
    Евгений: Женя=Zhenya Eugene; Сергей: Серёжа=Seryozha; Павел: Паша=Pasha;
    Екатерина: Катя=Katya Kate; Анастасия: Настя=Nastya; Наталья: Наташа=Natasha;
    Татьяна: Таня=Tanya; Мария: Маша=Masha; Елена: Лена=Lena; Юлия: Юля=Yulya;
    Ольга: Оля=Olya; Ирина: Ира=Ira; Светлана: Света=Sveta; Людмила: Люда=Lyuda;
    Галина: Галя=Galya; Дарья: Даша=Dasha; Ксения: Ксюша=Ksyusha; Надежда: Надя=Nadya;
    Γεώργιος: Γιώργος=Giorgos George; Ιωάννης: Γιάννης=Giannis John;
    Κωνσταντίνος: Κώστας=Kostas Gus; Δημήτριος: Δημήτρης=Dimitris Jim;
    Νικόλαος: Νίκος=Nikos Nick; Παναγιώτης: Πάνος=Panos Pete; Βασίλειος: Βασίλης=Vasilis Bill;
    Αθανάσιος: Θανάσης=Thanasis Tom; Αικατερίνη: Κατερίνα=Katerina Kathy;
    Βασιλική: Βάσω=Vaso Vicky; Ευαγγελία: Λίτσα=Litsa Angie; Παναγιώτα: Γιώτα=Giota;
    Σπυρίδων: Σπύρος=Spyros; Αντώνιος: Αντώνης=Antonis Tony; Θεόδωρος: Θοδωρής=Thodoris Ted;
    Ευάγγελος: Βαγγέλης=Vangelis"""
)
_EN_PREF = (
    _names("""Jenny, Amy, Grace, Michelle, Linda, Helen, Cindy, Vivian, Tina, Annie, Christine,
    Julie, Lily, Kelly, Tiffany, Sophie, Angela, Jessica, Joyce, Connie"""),
    _names("""Kevin, David, Tony, Peter, Andy, Jason, Eric, Steven, Danny, Henry, Michael, Jimmy,
    Victor, Johnny, Vincent, Daniel, Brian, Alan, Sam, Paul"""),
)
_NEUTRAL = _names("""Alex, Sam, Jordan, Riley, Casey, Taylor, Avery, Rowan, Quinn, Charlie, River,
Sage, Jamie, Morgan, Skyler, Drew, Emerson, Robin, Kai, Ash""")

_SUFFIXES = ("Jr.",) * 11 + ("Sr.",) * 3 + ("II",) * 2 + ("III",) * 3 + ("IV",)

# Relations: label, sex (F, M, S = spouse: usually the other sex, A = any), age offset,
# share with the patient's surname (-1: as for a mother, i.e. depends on the culture).
_Rel = tuple[str, str, int, float]
_GUARDIANS: tuple[tuple[_Rel, int], ...] = (
    (("Mother", "F", 28, -1.0), 56),
    (("Father", "M", 31, 0.95), 28),
    (("Grandmother", "F", 55, 0.5), 10),
    (("Legal guardian", "A", 35, 0.2), 6),
)
_CONTACTS_MINOR: tuple[tuple[_Rel, int], ...] = (
    (("Father", "M", 31, 0.95), 30),
    (("Mother", "F", 28, -1.0), 30),
    (("Grandmother", "F", 55, 0.5), 20),
    (("Grandfather", "M", 57, 0.5), 8),
    (("Aunt", "F", 27, 0.4), 8),
    (("Uncle", "M", 29, 0.5), 4),
)
_CONTACTS_YOUNG: tuple[tuple[_Rel, int], ...] = (
    (("Mother", "F", 27, -1.0), 30),
    (("Father", "M", 30, 0.95), 12),
    (("Partner", "S", 0, 0.1), 15),
    (("Spouse", "S", 0, -1.0), 8),
    (("Sister", "F", 0, 0.85), 10),
    (("Brother", "M", 0, 0.9), 8),
    (("Friend", "A", 0, 0.03), 12),
    (("Grandmother", "F", 50, 0.5), 5),
)
_CONTACTS_ADULT: tuple[tuple[_Rel, int], ...] = (
    (("Spouse", "S", 0, -1.0), 50),
    (("Partner", "S", 0, 0.1), 8),
    (("Mother", "F", 27, -1.0), 8),
    (("Sister", "F", 0, 0.7), 9),
    (("Brother", "M", 0, 0.9), 7),
    (("Daughter", "F", -28, 0.6), 6),
    (("Son", "M", -29, 0.9), 5),
    (("Friend", "A", 0, 0.03), 7),
)
_CONTACTS_OLD: tuple[tuple[_Rel, int], ...] = (
    (("Daughter", "F", -28, 0.6), 28),
    (("Son", "M", -29, 0.9), 22),
    (("Spouse", "S", 0, -1.0), 30),
    (("Niece", "F", -25, 0.3), 5),
    (("Nephew", "M", -25, 0.5), 3),
    (("Sister", "F", 0, 0.6), 5),
    (("Friend", "A", 0, 0.03), 4),
    (("Neighbor", "A", 0, 0.03), 3),
)


_OUTSIDERS = frozenset({"Friend", "Neighbor", "Partner", "Legal guardian"})


def _rels(weighted: tuple[tuple[_Rel, int], ...]) -> tuple[_Rel, ...]:
    return tuple(rel for rel, weight in weighted for _ in range(weight))


_GUARDIAN_TABLE = _rels(_GUARDIANS)
_CONTACT_TABLES = (
    _rels(_CONTACTS_MINOR),
    _rels(_CONTACTS_YOUNG),
    _rels(_CONTACTS_ADULT),
    _rels(_CONTACTS_OLD),
)

_NOTES = (
    "Prefers morning appointments.",
    "Prefers afternoon appointments.",
    "Call the mobile first; the home phone is rarely answered.",
    "Hard of hearing: speak clearly and face the patient.",
    "Uses a wheelchair; book the accessible chair.",
    "Needs a ride: check transport before scheduling.",
    "Prefers text reminders.",
    "Do not leave detailed voicemails.",
    "Family member schedules the appointments.",
    "Bring the infusion records from the previous center.",
    "Parks in the garage; validate parking.",
    "Likes a blanket and the window chair.",
)

# Age bands in whole years (inclusive) and their weights: about 15 % minors, skewed to the
# ages an infusion center sees most.
_AGE_BANDS = (
    (0, 17, 30),
    (18, 29, 17),
    (30, 39, 20),
    (40, 49, 24),
    (50, 59, 32),
    (60, 69, 36),
    (70, 79, 28),
    (80, 89, 11),
    (90, 95, 2),
)


def _years_ago(today: date, years: int) -> int:
    """Ordinal of the last birth date that makes someone ``years`` old on ``today``."""
    try:
        return date(today.year - years, today.month, today.day).toordinal()
    except ValueError:  # 29 February today, not a leap year then
        return date(today.year - years, 2, 28).toordinal()


def _generation(age: int) -> int:
    return 0 if age < 30 else (1 if age < 60 else 2)


class _Factory:
    """Builds one patient at a time from a random source (the only per-record work)."""

    __slots__ = ("rnd", "today", "bands")

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rnd = rng.random
        self.today = today
        bands: list[tuple[int, int]] = []
        for low, high, weight in _AGE_BANDS:
            start = _years_ago(today, high + 1) + 1
            end = _years_ago(today, low)
            bands += [(start, end - start + 1)] * weight
        self.bands = tuple(bands)

    def _pick(self, seq: Sequence[_Name]) -> _Name:
        return seq[int(self.rnd() * len(seq))]

    def _given(self, c: _Culture, female: bool, gen: int) -> tuple[str, str, bool]:
        """(given name, its ASCII stem, whether it is an English name)."""
        share = c.english_given[gen]
        english = c is _EN or (share > 0.0 and self.rnd() < share)
        source = _EN if english else c
        name, stem = self._pick((source.female if female else source.male)[gen])
        return name, stem, english

    def _phone(self, loc: _Locale) -> str:
        rnd = self.rnd
        areas = loc.areas if rnd() < 0.8 else _ALL_AREAS  # people keep their old numbers
        return areas[int(rnd() * len(areas))] + _LINES[int(rnd() * 100)]

    def _relative(
        self, c: _Culture, rel: _Rel, female_patient: bool, age: int, family: _Surname
    ) -> tuple[str, bool]:
        """A relative's (or friend's) whole name, written the way the culture writes it."""
        rnd = self.rnd
        label, sex, offset, same = rel
        if sex == "S":
            female = (not female_patient) if rnd() < 0.92 else female_patient
        elif sex == "A":
            female = rnd() < 0.55
        else:
            female = sex == "F"
        if same < 0.0:
            same = 1.0 - c.keeps
        if label in _OUTSIDERS and c is not _EN and rnd() < 0.35:
            c = _EN  # friends, partners and legal guardians come from anywhere
            same = 0.0
        first, _, english = self._given(c, female, _generation(max(age + offset, 18)))
        s = family if rnd() < same else c.surnames[int(rnd() * len(c.surnames))]
        last = s[1] if female else s[0]
        if c.order == _ORDER_WESTERN or english:
            return f"{first} {last}", female
        if c.order == _ORDER_HAN:
            return last + first, female
        if c.order == _ORDER_JAPANESE:
            return f"{last} {first}", female
        mids = c.mid_f if female else c.mid_m
        return f"{last} {mids[int(rnd() * len(mids))][0]} {first}", female

    def patient(self) -> PatientData:
        rnd = self.rnd
        today = self.today
        c = _CULTURES[int(rnd() * len(_CULTURES))]
        start, span = self.bands[int(rnd() * len(self.bands))]
        born = date.fromordinal(start + int(rnd() * span))
        age = v.age_on(born, today)
        minor = age < v.ADULT_AGE
        gen = _generation(age)
        r = rnd()
        sex = "F" if r < 0.515 else "M" if r < 0.97 else "X" if r < 0.985 else "U"
        female = sex == "F" or (sex != "M" and rnd() < 0.5)

        first, first_a, english = self._given(c, female, gen)

        middle = ""
        middle_full = False
        if c.middle != _MID_NONE and rnd() < c.middle_share:
            if c.middle == _MID_GIVEN:
                m = self._given(c, female, gen)[0]
                if m != first:
                    if rnd() < c.initial_share:
                        middle = m[0] + "."
                    else:
                        middle, middle_full = m, True
            elif c.middle == _MID_POOL and not english:
                middle = self._pick(c.mid_f if female else c.mid_m)[0]
            elif c.middle == _MID_POOL:  # "Kevin Minh Nguyễn"
                middle = self._pick((c.female if female else c.male)[gen])[0]
            else:
                middle = c.surnames[int(rnd() * len(c.surnames))][1]

        family = c.surnames[int(rnd() * len(c.surnames))]
        if female:
            last, last_a = family[1], family[3]
        else:
            last, last_a = family[0], family[2]
        r = rnd()
        if r < c.double + c.hyphen:
            other = c.surnames[int(rnd() * len(c.surnames))]
            o_last, o_a = (other[1], other[3]) if female else (other[0], other[2])
            if o_last != last:
                last = f"{last} {o_last}" if r < c.double else f"{last}-{o_last}"
                last_a += o_a
        elif c.latin and female and age >= 25 and r < c.double + c.hyphen + 0.02:
            other = _EN.surnames[int(rnd() * len(_EN.surnames))]
            last, last_a = f"{last}-{other[1]}", last_a + other[3]
        if "'" in last and rnd() < 0.1:
            last = last.replace("'", "’")  # as typed on phones and Macs

        suffix = ""
        if sex == "M" and c.suffix and rnd() < c.suffix:
            suffix = _SUFFIXES[int(rnd() * len(_SUFFIXES))]
            if suffix == "Sr." and age < 40:
                suffix = "Jr."

        preferred = ""
        nicks = _NICKNAMES.get(first)
        if nicks is not None and rnd() < c.nick:
            preferred, first_a = self._pick(nicks)
        elif c.english_pref and not english and rnd() < c.english_pref:
            preferred, first_a = self._pick(_EN_PREF[0] if female else _EN_PREF[1])
        elif sex == "X" and rnd() < 0.35:
            preferred, first_a = self._pick(_NEUTRAL)
        elif middle_full and rnd() < 0.04:
            preferred = middle  # goes by the middle name

        share = c.lang_share[0 if minor else (1 if age < 35 else 2)]
        others = c.other_langs
        language = c.lang if rnd() < share else others[int(rnd() * len(others))]

        if c.places and rnd() < c.place_share:
            loc = c.places[int(rnd() * len(c.places))]
        else:
            loc = _LOCALES[int(rnd() * len(_LOCALES))]
        line1 = line2 = city = state = zip_code = ""
        if rnd() < 0.97:
            city, state = loc.city, loc.state
            zip_code = f"{loc.zip_low + int(rnd() * loc.zip_span):05d}"
            if rnd() < 0.02:
                line1 = f"PO Box {1 + int(rnd() * 9999)}"
            else:
                number = int(10.0 ** (rnd() * 4.0)) + int(rnd() * 10)
                street = _STREETS[int(rnd() * len(_STREETS))]
                if rnd() < 0.15:
                    street = _DIRECTIONS[int(rnd() * 4)] + street
                line1 = f"{number} {street}"
                if rnd() < 0.2:
                    line2 = _UNITS[int(rnd() * len(_UNITS))]

        mobile = home = ""
        guardian = guardian_rel = guardian_phone = ""
        if minor:
            rel = _GUARDIAN_TABLE[int(rnd() * len(_GUARDIAN_TABLE))]
            guardian, _ = self._relative(c, rel, female, age, family)
            guardian_rel = rel[0]
            guardian_phone = self._phone(loc)
            r = rnd()
            if r < 0.45:
                home = guardian_phone
            elif r < 0.65:
                home = self._phone(loc)
            if age >= 13 and rnd() < 0.45:
                mobile = self._phone(loc)
        else:
            if rnd() < (0.88 if age < 75 else 0.7):
                mobile = self._phone(loc)
            if rnd() < (0.3 if age < 65 else 0.6):
                home = self._phone(loc)
            if not (mobile or home) and rnd() < 0.8:
                mobile = self._phone(loc)

        emergency = emergency_rel = emergency_phone = ""
        if rnd() < (0.4 if minor else 0.86):
            table = _CONTACT_TABLES[0 if minor else (1 if age < 30 else (2 if age < 65 else 3))]
            rel = table[int(rnd() * len(table))]
            while rel[0] == guardian_rel:  # the other parent, not a second mother
                rel = table[int(rnd() * len(table))]
            emergency, contact_female = self._relative(c, rel, female, age, family)
            label = rel[0]
            if label == "Spouse" and rnd() < 0.6:
                label = "Wife" if contact_female else "Husband"
            emergency_rel = label
            emergency_phone = self._phone(loc)

        email = ""
        if rnd() < (0.0 if age < 13 else 0.3 if minor else 0.72 if age < 80 else 0.4):
            last_stem = last_a[:20]
            form = int(rnd() * 8)
            if form == 0:
                local = f"{first_a}.{last_stem}"
            elif form == 1:
                local = f"{first_a}{last_stem}"
            elif form == 2:
                local = f"{first_a[0]}{last_stem}"
            elif form == 3:
                local = f"{first_a}.{last_stem}{born.year % 100:02d}"
            elif form == 4:
                local = f"{first_a}{1 + int(rnd() * 999)}"
            elif form == 5:
                local = f"{last_stem}.{first_a}"
            elif form == 6:
                local = f"{first_a}_{last_stem}"
            else:
                local = f"{first_a[0]}{last_stem}{1 + int(rnd() * 99)}"
            r = rnd()
            email = local + (
                "@example.org" if r < 0.4 else "@example.com" if r < 0.8 else "@example.net"
            )

        notes = ""
        if rnd() < 0.05:
            if language != "en" and rnd() < 0.4:
                notes = f"{LANGUAGES[language]} interpreter needed."
            else:
                notes = _NOTES[int(rnd() * len(_NOTES))]

        return PatientData(
            first_name=first,
            last_name=last,
            middle_name=middle,
            suffix=suffix,
            preferred_name=preferred,
            birth_date=born,
            sex=sex,
            phone_mobile=mobile,
            phone_home=home,
            email=email,
            address_line1=line1,
            address_line2=line2,
            city=city,
            state=state,
            zip_code=zip_code,
            preferred_language=language,
            guardian_name=guardian,
            guardian_relationship=guardian_rel,
            guardian_phone=guardian_phone,
            emergency_name=emergency,
            emergency_relationship=emergency_rel,
            emergency_phone=emergency_phone,
            notes=notes,
            active=rnd() >= 0.03,
        )


def generate_patients(count: int, rng: random.Random, today: date) -> Iterator[PatientData]:
    """``count`` fictional patients (MRN left empty) drawn from ``rng``, ages as of ``today``.

    Every record passes ``patients.validate`` and is already normalised. The same seed and
    ``today`` always give the same records, as long as nothing else draws from ``rng``
    while the iterator is being consumed. Only ``rng.random()`` is used.
    """
    if count < 0:
        raise ValueError("count cannot be negative")
    factory = _Factory(rng, today)
    return (factory.patient() for _ in range(count))
