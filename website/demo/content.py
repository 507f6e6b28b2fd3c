"""Everything on the demo site except the stories: the organisation, pages, regions and pictures.

The organisation, people and addresses are invented; links go to example.org and example.com.
Body blocks use the same tuples as website/demo/stories.py.
"""

DONATE_URL = "https://example.org/give"

ORGANISATION = {
    "organisation_name": "Vigil Freedom Network",
    "tagline": "Standing with survivors of trafficking: in prayer, in presence, in practical help.",
    "donate_url": DONATE_URL,
    "contact_email": "hello@example.org",
    "contact_phone": "+44 20 7946 0321",
    "postal_address": "Vigil Freedom Network\nPO Box 2026\nLondon\nUnited Kingdom",
    "facebook_url": "https://facebook.example.com/vigilfreedom",
    "instagram_url": "https://instagram.example.com/vigilfreedom",
    "x_url": "https://x.example.com/vigilfreedom",
    "x_handle": "vigilfreedom",
}

REGIONS = [
    ("Kolkata, India", "kolkata"),
    ("Mumbai, India", "mumbai"),
    ("Kathmandu, Nepal", "kathmandu"),
    ("Manila, Philippines", "manila"),
    ("Chiang Mai, Thailand", "chiang-mai"),
]

TAGS = ["education", "vocational training", "children", "prayer", "rescue", "restoration"]

# Alt text for each palette: the pictures are abstract, so the text says so.
PALETTE_DESCRIPTIONS = {
    "dawn": "Soft circles of light over a peach-coloured horizon",
    "dusk": "Out-of-focus lights in violet and rose at dusk",
    "river": "Pale circles of light over deep blue water",
    "field": "Sunlit green and yellow hills, slightly out of focus",
    "clay": "Warm terracotta tones with soft circles of light",
    "lamplight": "Lamplight glowing in a dark evening sky",
}

# Pictures shared by several pages: key -> (title, palette, label drawn on the picture).
SCENES = {
    "home-hero": ("Morning light over the city", "dawn", "Vigil Freedom Network"),
    "about-hero": ("Lights of a city at dusk", "dusk", "About Vigil Freedom Network"),
    "sewing-room": ("Afternoon light in the tailoring room", "dawn", "Tailoring course"),
    "study-club": ("Evening at the study club", "lamplight", "Evening study club"),
    "bakery": ("Ovens at dawn", "clay", "Training bakery"),
    "classroom": ("A quiet classroom", "field", "Classroom"),
    "hills": ("Hills in the morning", "field", "Hills of Nepal"),
    "pitch": ("A football pitch on Saturday", "field", "Saturday club"),
    "night-city": ("City lights at night", "lamplight", "Helpline"),
    "salon": ("Mirrors in the training salon", "dusk", "Beauty training"),
    "candles": ("Candles at a prayer night", "lamplight", "Night of prayer"),
    "market": ("Weekend market stalls", "river", "Savings group"),
    "kolkata-hero": ("Kolkata drop-in centre", "lamplight", "Kolkata, India"),
    "kolkata-1": ("Drop-in centre: the tea room", "dawn", "The tea room"),
    "kolkata-2": ("Drop-in centre: the study club", "lamplight", "Study club"),
    "kolkata-3": ("Drop-in centre: the sewing machines", "clay", "Sewing machines"),
    "kolkata-4": ("Drop-in centre: the roof garden", "field", "Roof garden"),
    "kathmandu-hero": ("Kathmandu training bakery", "clay", "Kathmandu, Nepal"),
    "kathmandu-1": ("Bakery: kneading class", "clay", "Kneading class"),
    "kathmandu-2": ("Bakery: the café counter", "dawn", "Café counter"),
    "kathmandu-3": ("Bakery: the classroom", "field", "Classroom"),
    "campaign-hero": ("Freedom Sunday", "river", "Freedom Sunday"),
}

CALLS_TO_ACTION = {
    "pray": {
        "heading": "Pray with us",
        "text": "Read the prayer wall, receive prayer updates, follow the prayer calendar or "
        "keep watch for an hour in the vigil: every way to pray, on one page.",
        "button_label": "Ways to pray",
        "page": "pray",
    },
    "volunteer": {
        "heading": "Give your time",
        "text": "Teach, coach, cook or answer the phone: volunteers make the work possible.",
        "button_label": "How to volunteer",
        "page": "volunteer",
    },
    "give": {
        "heading": "Give",
        "text": "A gift pays for a training place, a meal at a drop-in centre or a night of care.",
        "button_label": "Give now",
        "url": DONATE_URL,
    },
    "freedom-sunday": {
        "heading": "Bring your church to Freedom Sunday",
        "text": "A free kit with a sermon outline, a prayer guide and a children’s lesson.",
        "button_label": "Find out more",
        "page": "campaign",
    },
}

# The ways in: what Settings → Calls to action shows at the foot of every story, the prayer
# wall and the campaign page; and the ways on the Pray page. "page" names a demo page, "form"
# one of the site's forms (website/blocks.py SITE_FORMS).
WAYS_IN = {
    "heading": "Pray and take part",
    "calls_to_action": ["updates", "vigil", "calendar", "volunteer"],
}

CALLS_TO_ACTION.update(
    {
        "updates": {
            "heading": "Pray by email",
            "text": "A short prayer update each week or month, on the topics you choose.",
            "button_label": "Receive prayer updates",
            "form": "prayer_updates",
        },
        "vigil": {
            "heading": "Keep watch for an hour",
            "text": "Join the vigil: choose an hour in your own time zone, so someone is "
            "praying at every moment.",
            "button_label": "Join the vigil",
            "page": "vigil",
        },
        "calendar": {
            "heading": "Pray through the calendar",
            "text": "One focus a day for 21 days, by email, in your calendar or here.",
            "button_label": "Follow the prayer calendar",
            "page": "calendar",
        },
        "wall": {
            "heading": "The prayer wall",
            "text": "Pray now for the requests of the women, children and teams we serve, "
            "and tell them you prayed.",
            "button_label": "Open the prayer wall",
            "page": "wall",
        },
        "request": {
            "heading": "Ask for prayer",
            "text": "Send us a prayer request. A moderator reads it before anything is shared, "
            "and you choose whether it may appear on the wall.",
            "button_label": "Send a prayer request",
            "form": "prayer_request",
        },
    }
)

PRAY = {
    "title": "Pray",
    "slug": "pray",
    "intro": "Prayer is where we begin. Here is every way to pray with us: choose one, or several.",
    "ways": ["wall", "updates", "calendar", "vigil", "request"],
}

HOME = {
    "title": "Home",
    "hero_heading": "Freedom for every woman and child",
    "hero_text": "We run drop-in centres, training and aftercare with local partners in South "
    "and South-East Asia, and we invite churches everywhere to pray and act.",
    "hero_button_label": "Read their stories",
    # The home page adds its own Give card from the donate URL in the settings.
    "calls_to_action": ["pray", "volunteer"],
}

STORIES_INDEX = {
    "title": "Stories",
    "slug": "stories",
    "intro": "News from the centres and the people they serve. Names are changed to protect "
    "privacy, and every story is shared with consent.",
}

ABOUT = {
    "title": "About",
    "slug": "about",
    "intro": "Vigil Freedom Network is a fellowship of local ministries that stand with women "
    "and children affected by trafficking and sexual exploitation.",
    "body": [
        (
            "paragraph",
            "<h2>Who we are</h2><p>We began in 2011 as a prayer group of five "
            "churches. Today we support drop-in centres, rehabilitation homes and vocational "
            "training run by local partners in India, Nepal, the Philippines and Thailand.</p>",
        ),
        ("image", "classroom", "Every programme is led by local staff."),
        (
            "paragraph",
            "<h2>How we work</h2><ul><li><strong>Presence:</strong> drop-in centres "
            "open every day in the districts where women work.</li><li><strong>Restoration:"
            "</strong> counselling, health care and safe homes.</li><li><strong>Livelihoods:"
            "</strong> certified training in tailoring, baking and beauty work.</li></ul>",
        ),
        (
            "paragraph",
            "<h2>Volunteering</h2><p>Volunteers teach, coach, cook and answer the "
            "helpline. Every volunteer is interviewed, trained and checked before working with "
            "children or vulnerable adults.</p>",
        ),
        (
            "pull_quote",
            "We protect the people we serve: names are changed and the addresses "
            "of safe homes are never published.",
            "Our privacy promise",
        ),
        ("call_to_action", "give"),
    ],
}

MINISTRIES = [
    {
        "slug": "kolkata-drop-in-centre",
        "title": "Kolkata Drop-in Centre",
        "city": "Kolkata",
        "country": "India",
        "hero": "kolkata-hero",
        "intro": "A welcoming place in the heart of the district, open every day for women and "
        "their children: tea, a listening ear, health care, training and an evening study club.",
        "body": [
            (
                "paragraph",
                "<p>The centre opened in a rented first-floor flat with one sewing "
                "machine. Today a team of eleven local staff runs programmes from morning until "
                "late evening, and every woman who walks in is welcomed by name.</p>",
            ),
            (
                "pull_quote",
                "This is the only place where nobody wants anything from me.",
                "A woman who visits the centre (name withheld)",
            ),
        ],
        "programmes": [
            ("Evening study club", "Homework help, a hot meal and a safe place until late."),
            ("Tailoring course", "A six-month certified course, with a sewing kit to take home."),
            ("Health and counselling", "A nurse twice a week and a counsellor every day."),
            ("Savings and literacy", "Reading, writing and money skills in small groups."),
        ],
        "figures": [
            ("40", "children served daily"),
            ("120", "women in touch each month"),
            ("26", "tailoring graduates this year"),
            ("7", "years in the district"),
        ],
        "gallery": [
            ("kolkata-1", "Tea is always ready in the front room."),
            ("kolkata-2", "The study club meets every evening."),
            ("kolkata-3", "Eight machines for the tailoring course."),
            ("kolkata-4", "The roof garden, planted by the children."),
        ],
    },
    {
        "slug": "kathmandu-training-bakery",
        "title": "Kathmandu Training Bakery",
        "city": "Kathmandu",
        "country": "Nepal",
        "hero": "kathmandu-hero",
        "intro": "A working bakery where young women who have left exploitation learn a trade, "
        "earn a training wage and prepare for jobs in the city’s cafés and hotels.",
        "body": [
            (
                "paragraph",
                "<p>Trainees spend six months in the bakery and the classroom. They "
                "learn bread, pastry and cakes, food hygiene and customer service, and they are "
                "paid for every shift they work.</p>",
            ),
            ("image", "bakery", "Bread rolls on their way to a partner café."),
        ],
        "programmes": [
            ("Bakery apprenticeship", "Six months of paid training with a certified baker."),
            ("Literacy and numeracy", "Classes every afternoon, at every level."),
            ("Aftercare", "A mentor and a counsellor for a year after graduation."),
        ],
        "figures": [
            ("18", "trainees each year"),
            ("9 in 10", "graduates in work a year later"),
            ("3", "cafés hiring our graduates"),
        ],
        "gallery": [
            ("kathmandu-1", "Kneading class, first week."),
            ("kathmandu-2", "The café counter where trainees serve customers."),
            ("kathmandu-3", "The classroom next to the bakery."),
        ],
    },
]

CAMPAIGN_INDEX = {
    "title": "Campaigns",
    "slug": "campaigns",
    "intro": "Each year churches around the world set aside a Sunday to pray, learn and give "
    "for freedom. Register your church and receive a free resource kit.",
}

CAMPAIGN = {
    "slug_prefix": "freedom-sunday",
    "summary": "One Sunday, many churches: preach, pray and give for the freedom of women and "
    "children who are trafficked. Free resources for every church that registers.",
    "body": [
        (
            "paragraph",
            "<p>Freedom Sunday is a day when congregations around the world set aside "
            "their service to pray for people affected by trafficking and to learn how to "
            "protect the vulnerable in their own communities.</p><h2>What you receive</h2><ul>"
            "<li>A sermon outline on Isaiah 61</li><li>A printable prayer guide</li>"
            "<li>A children’s lesson and a short film</li></ul>",
        ),
        ("pull_quote", "Prayer is where we begin, not where we stop.", "Pastor Joel Navarro"),
        ("call_to_action", "give"),
    ],
}
