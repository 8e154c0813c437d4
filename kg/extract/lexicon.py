"""Trigger lexicons: the words that signal each relation, and how their arguments map.

Data, not logic. A *frame* says which argument slot becomes the relation's source
and which its target:

- ``subj``: the trigger's subject (for a noun: its possessor, a name compounded
  before it, or the nearest name to its left);
- ``obj``: the names right after the trigger with no preposition between;
- a preposition (``in``, ``with``, ``from``...): the names after that preposition;
- ``between``: the names coordinated after "between"/"among", related pairwise.

``a>b`` relates source ``a`` to target ``b``; ``a~b`` is symmetric. A trigger may list
several frames and several relation types; the ontology's domain/range decides
which one a pair of entities can take ("launched Grok" -> DEVELOPS, "launched xAI"
-> FOUNDED). Passive verbs ("was acquired by") swap ``subj`` with the ``by`` slot.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ROLE_NOUNS",
    "TRIGGERS",
    "Frame",
    "RoleNoun",
    "Trigger",
]


@dataclass(frozen=True)
class Frame:
    relation: str
    source: str
    target: str
    symmetric: bool = False


@dataclass(frozen=True)
class Trigger:
    """A word (by lemma) and part of speech that signals relations through frames."""

    lemma: str
    pos: str  # "VERB" or "NOUN" or "ADJ"
    frames: tuple[Frame, ...]


def _frames(relation: str, spec: str) -> tuple[Frame, ...]:
    out = []
    for part in spec.split():
        if "~" in part:
            a, b = part.split("~")
            out.append(Frame(relation, a, b, symmetric=True))
        else:
            a, b = part.split(">")
            out.append(Frame(relation, a, b))
    return tuple(out)


# (relation, part of speech, frames, lemmas). Lemmas of multiword triggers join words
# with a space; they match consecutive token lemmas.
_TABLE: list[tuple[str, str, str, str]] = [
    # -- money in
    (
        "INVESTS_IN",
        "VERB",
        "subj>in subj>into subj>obj subj>for",
        "invest|back|fund|finance|bankroll|underwrite|sponsor|co-lead|seed|spearhead|"
        "co-invest|reinvest|capitalize",
    ),
    (
        "INVESTS_IN",
        "VERB",
        "subj>in subj>into subj>for",
        "pour|plow|plough|inject|pump|sink|put|commit|pledge|wager|bet|participate|"
        "double down|contribute|chip in",
    ),
    (
        "INVESTS_IN",
        "VERB",
        "from>subj by>subj",
        "raise|secure|receive|land|attract|close|get|bag|net|obtain|take|draw|collect",
    ),
    ("INVESTS_IN", "VERB", "subj>in", "lead|join|anchor|take part|co-lead"),
    (
        "INVESTS_IN",
        "NOUN",
        "subj>in subj>into from>subj by>subj subj>for",
        "investment|stake|funding|backing|infusion|injection|financing|bet|position|holding|"
        "share|equity|capital|money|cash|round|investor|backer|shareholder|funder|"
        "ownership stake|minority stake|equity stake|seed round|funding round|"
        "capital injection|participation|commitment|check|cheque|war chest|tranche",
    ),
    # -- buying companies
    (
        "ACQUIRES",
        "VERB",
        "subj>obj subj>for",
        "acquire|buy|purchase|take over|snap up|absorb|swallow|gobble up|scoop up|buy out|"
        "fold|pick up|land",
    ),
    (
        "ACQUIRES",
        "NOUN",
        "subj>of subj>for by>obj",
        "acquisition|purchase|takeover|buyout|buy-out|merger|acquirer|buyer|acqui-hire|"
        "acquihire|bid|offer",
    ),
    ("ACQUIRES", "VERB", "to>obj", "offload|divest|hand over"),
    ("ACQUIRES", "VERB", "subj>with subj~with", "merge|combine"),
    # -- partnerships
    (
        "PARTNERS_WITH",
        "VERB",
        "subj~with subj~obj subj~and",
        "partner|team up|collaborate|ally|join force|join hand|cooperate|work together|"
        "link up|tie up|sign|strike|ink|forge|seal|expand|extend|deepen|renew|pair|connect|"
        "align|talk|negotiate|join up|unite|coordinate",
    ),
    (
        "PARTNERS_WITH",
        "NOUN",
        "subj~with between~between subj~and among~among",
        "partnership|partner|deal|agreement|alliance|collaboration|tie-up|pact|contract|"
        "joint venture|accord|relationship|cooperation|teaming|arrangement|collaborator|ally|"
        "memorandum of understanding|venture|link-up|talks|negotiations|discussions|tie|"
        "ties|union|consortium|coalition|partnering|co-development|licensing deal",
    ),
    # -- hosting and cloud
    (
        "HOSTS",
        "VERB",
        "subj>obj subj>from on>obj",
        "host|serve|carry|support|feature|offer|distribute|deploy|house|stock|list",
    ),
    (
        "HOSTS",
        "VERB",
        "into>obj onto>obj to>obj on>obj in>obj",
        "integrate|bring|add|embed|incorporate|put|roll|plug|fold|deploy|make available|"
        "offer|launch|release|list|introduce|port|host|onboard|migrate|move",
    ),
    (
        "HOSTS",
        "VERB",
        "on>subj through>subj via>subj",
        "run|train|arrive|come|land|launch|debut|live|go live|operate|appear",
    ),
    (
        "HOSTS",
        "ADJ",
        "on>subj through>subj via>subj to>subj in>subj",
        "available|accessible|live|exclusive|hosted|offered",
    ),
    ("HOSTS", "VERB", "on>subj", "rely|depend|build|standardize|bet"),
    ("HOSTS", "VERB", "obj>subj", "leverage|tap|choose|pick|select|adopt"),
    (
        "HOSTS",
        "NOUN",
        "subj>obj into>subj on>subj",
        "host|cloud provider|cloud partner|cloud|data center|data centre|infrastructure|"
        "server|compute|computing capacity|capacity|supercomputer|cluster|availability",
    ),
    # -- making products
    (
        "DEVELOPS",
        "VERB",
        "subj>obj by>subj",
        "develop|build|create|train|release|launch|unveil|introduce|debut|ship|design|make|"
        "roll out|announce|open-source|open source|preview|showcase|demo|detail|update|"
        "upgrade|fine-tune|produce|engineer|pioneer|invent|publish|reveal|tout|code|"
        "write|refresh|revamp|rebrand|tease|unleash",
    ),
    (
        "DEVELOPS",
        "NOUN",
        "subj>of by>obj",
        "developer|maker|creator|builder|designer|launch|release|debut|rollout|version|"
        "unveiling|introduction",
    ),
    # -- competition
    (
        "RIVALS",
        "VERB",
        "subj~with subj~against subj~obj subj~and",
        "compete|rival|challenge|battle|vie|fight|spar|clash|take on|go up against|"
        "go head to head|square off|race|contend|outpace|outperform|beat|trail|chase|"
        "catch up|undercut|sue|threaten|feud|counter|surpass|best|lag|overtake|dethrone|"
        "fend off|duel|edge out|disrupt|displace|unseat|lure|poach from|copy|clone",
    ),
    (
        "RIVALS",
        "NOUN",
        "subj~with subj~to subj~of subj~from between~between subj~and subj~against among~among",
        "rival|rivalry|competitor|competition|challenger|contender|tension|rift|feud|dispute|"
        "clash|fight|battle|war|race|spat|conflict|lawsuit|suit|showdown|alternative|answer|"
        "foe|nemesis|frenemy|adversary|threat|arms race|standoff|falling-out|friction|"
        "animosity|acrimony|strain|split|row|legal battle|price war|turf war|antagonist|"
        "pressure|challenge|counterweight|response|bout|duel|tussle|spar|squabble",
    ),
    ("RIVALS", "ADJ", "subj~to subj~with", "competitive|rival|comparable|superior|inferior"),
    # -- leadership, founding, employment
    (
        "LEADS",
        "VERB",
        "subj>obj",
        "lead|head|run|helm|chair|steer|oversee|captain|manage|direct|preside",
    ),
    (
        "FOUNDED",
        "VERB",
        "subj>obj by>subj",
        "found|co-found|cofound|establish|start|launch|set up|create|form|incorporate|spin up|"
        "start up",
    ),
    ("FOUNDED", "NOUN", "subj>of", "founder|co-founder|cofounder|founding"),
    (
        "WORKS_FOR",
        "VERB",
        "subj>obj subj>at subj>for",
        "join|rejoin|work|serve|defect|move|leave|quit|depart|exit|return",
    ),
    ("WORKS_FOR", "VERB", "obj>subj", "hire|employ|poach|recruit|appoint|name|tap|bring on"),
    # -- ownership
    ("OWNS", "VERB", "subj>obj by>subj", "own|control|operate|spin off|spin out"),
    (
        "OWNS",
        "NOUN",
        "subj>of",
        "owner|parent|parent company|holding company|controlling stake|majority stake|"
        "majority owner|controlling shareholder|control",
    ),
    (
        "OWNS",
        "NOUN",
        "of>subj",
        "subsidiary|unit|division|arm|affiliate|branch|spin-off|spinoff|subsidiary company|"
        "business unit",
    ),
    # -- supply
    (
        "SUPPLIES",
        "VERB",
        "subj>to subj>for subj>with",
        "supply|provide|sell|ship|deliver|furnish|lease|rent|license|licence|provision|"
        "equip|allocate|rent out|sell out|offer",
    ),
    (
        "SUPPLIES",
        "VERB",
        "from>subj made_by>subj",
        "buy|purchase|order|procure|source|rent|lease|license",
    ),
    ("SUPPLIES", "VERB", "made_by>subj", "use|deploy|run|train|rely|stockpile|amass"),
    (
        "SUPPLIES",
        "NOUN",
        "subj>to subj>for subj>with from>subj",
        "supplier|provider|vendor|supply|supply deal|supply agreement|order|shipment|"
        "contract|sale|purchase|chip deal|customer|client|licensing deal|licence|license|"
        "deliveries|delivery",
    ),
    ("SUPPLIES", "VERB", "subj>obj", "supply|provide|equip|furnish|arm"),
    ("SUPPLIES", "VERB", "subj>for", "make|build|produce|manufacture|fabricate|design"),
]

TRIGGERS: dict[tuple[str, str], list[Trigger]] = {}
for _relation, _pos, _spec, _lemmas in _TABLE:
    for _lemma in _lemmas.split("|"):
        TRIGGERS.setdefault((_lemma, _pos), []).append(
            Trigger(_lemma, _pos, _frames(_relation, _spec))
        )


@dataclass(frozen=True)
class RoleNoun:
    """A noun naming a role one entity plays for another ("CEO", "rival", "backer").

    In "Microsoft CEO Satya Nadella" or "Satya Nadella, chief executive of Microsoft"
    the *holder* is the named person and the *anchor* is Microsoft. ``holder_is_source``
    says which way the relation points.
    """

    relation: str
    holder_is_source: bool
    role: str | None = None


ROLE_NOUNS: dict[str, list[RoleNoun]] = {}


def _roles(relation: str, holder_is_source: bool, words: str, *, keep_role: bool = False) -> None:
    for w in words.split("|"):
        ROLE_NOUNS.setdefault(w, []).append(
            RoleNoun(relation, holder_is_source, w if keep_role else None)
        )


_roles(
    "LEADS",
    True,
    "ceo|chief executive|chief executive officer|chairman|chairwoman|chair|"
    "chairperson|president|head|boss|leader|chief|co-ceo|executive chairman|"
    "managing director|director general|commissioner|secretary|premier|founder-ceo|"
    "top executive|helmsman|co-head|dean|editor-in-chief|editor|ceo-designate",
    keep_role=True,
)
_roles(
    "FOUNDED", True, "founder|co-founder|cofounder|founding partner|founding member|founding ceo"
)
_roles(
    "WORKS_FOR",
    True,
    "analyst|engineer|researcher|scientist|executive|exec|spokesperson|spokesman|"
    "spokeswoman|employee|staffer|official|vice president|vp|svp|evp|cto|cfo|coo|"
    "cmo|cso|cio|cpo|chief technology officer|chief financial officer|"
    "chief operating officer|chief scientist|chief product officer|"
    "chief research officer|chief marketing officer|chief ai officer|"
    "general counsel|director|manager|partner|lead|developer|economist|strategist|"
    "reporter|journalist|correspondent|columnist|professor|fellow|adviser|advisor|"
    "board member|member|designer|programmer|architect|representative|lobbyist|"
    "lawyer|attorney|investor|trader|worker|staff|team member|product lead|"
    "head of research|chief of staff|insider|alum|veteran|co-lead|principal",
    keep_role=True,
)
_roles("PARTNERS_WITH", True, "partner|ally|collaborator|partner company")
_roles(
    "RIVALS",
    True,
    "rival|competitor|challenger|foe|nemesis|frenemy|adversary|"
    "contender|arch-rival|archrival|competition",
)
_roles(
    "INVESTS_IN",
    True,
    "backer|investor|shareholder|funder|financier|"
    "stakeholder|lead investor|anchor investor|major investor|biggest investor|"
    "largest investor|biggest backer|largest shareholder|biggest shareholder",
)
_roles("INVESTS_IN", False, "investee|portfolio company")
_roles("OWNS", True, "parent|parent company|owner|holding company|majority owner")
_roles(
    "OWNS",
    False,
    "subsidiary|unit|division|arm|affiliate|spin-off|spinoff|"
    "business unit|subsidiary company|cloud unit|cloud division|cloud arm|lab|"
    "research lab|ai lab|ai unit|research arm|venture arm|venture capital arm",
)
_roles(
    "SUPPLIES",
    True,
    "supplier|vendor|chip supplier|chipmaker|provider|"
    "chip provider|cloud provider|compute provider|contractor|licensor",
)
_roles("SUPPLIES", False, "customer|client|buyer|licensee")
_roles("ACQUIRES", True, "acquirer|buyer|new owner")
_roles(
    "DEVELOPS",
    True,
    "maker|creator|developer|builder|designer|owner|operator|parent|publisher|provider",
)
_roles(
    "DEVELOPS",
    False,
    "model|chatbot|assistant|product|platform|chip|processor|"
    "accelerator|gpu|service|tool|app|system|llm|ai model|language model|"
    "large language model|foundation model|flagship model|flagship|"
    "reasoning model|image generator|video generator|ai assistant|ai chatbot|"
    "software|device|agent|coding assistant|offering|family|series|engine|"
    "supercomputer|cloud platform|cloud service|search engine|browser|"
    "operating system|copilot|gpus|chips|models",
)
_roles(
    "HOSTS",
    True,
    "host|cloud partner|cloud host|exclusive cloud provider|"
    "primary cloud provider|hosting partner|cloud provider",
)
