"""The twelve demo stories, written for Vigil's demo site. Names are changed; nothing is graphic.

Body blocks are tuples the demo_content command turns into StreamField data:
("paragraph", html), ("image", scene key, caption), ("pull_quote", quote, attribution) and
("call_to_action", key into content.CALLS_TO_ACTION). ``days_ago`` dates a story relative to the
day the command runs.
"""

STORIES = [
    {
        "slug": "ashas-first-sewing-certificate",
        "title": "Asha’s first sewing certificate",
        "days_ago": 9,
        "author": "Ruth Mendes",
        "regions": ["kolkata"],
        "tags": ["vocational training", "restoration"],
        "palette": "dawn",
        "intro": "Six months ago Asha (name changed) had never held a measuring tape. Last week "
        "she stitched twenty school uniforms for a local school, and signed the invoice herself.",
        "body": [
            (
                "paragraph",
                "<p>Asha (name changed) first came to the drop-in centre for a cup of "
                "tea and a quiet hour. She stayed for the tailoring class that meets in the room "
                "upstairs, where eight sewing machines face a window full of afternoon light.</p>",
            ),
            (
                "pull_quote",
                "For the first time, someone asked me what I dreamed of. I said: "
                "my own shop, with my name above the door.",
                "Asha (name changed)",
            ),
            (
                "paragraph",
                "<p>The six-month course covers cutting, finishing and pricing, and "
                "ends with a certificate recognised by the city’s garment employers. Asha "
                "now takes orders from two schools and a church, and she is saving for a "
                "machine of her own.</p><p>Her daughter, who comes to the evening study "
                "club, was at the ceremony. <em>“She clapped the loudest,”</em> Asha says.</p>",
            ),
            ("image", "sewing-room", "The tailoring room at the drop-in centre."),
            ("call_to_action", "give"),
        ],
    },
    {
        "slug": "a-room-full-of-homework",
        "title": "A room full of homework",
        "days_ago": 27,
        "author": "Ruth Mendes",
        "regions": ["kolkata"],
        "tags": ["children", "education"],
        "palette": "lamplight",
        "intro": "Every evening forty children do their homework at the drop-in centre while "
        "their mothers are at work. This year, every one of them moved up a class.",
        "body": [
            (
                "paragraph",
                "<p>At six o’clock the centre fills with the sound of pencils and "
                "times tables. The evening study club began with four children around one table; "
                "today forty come each night for a meal, help with homework and a safe place to "
                "stay until their mothers collect them.</p>",
            ),
            ("image", "study-club", "Exercise books drying after a rainy walk to the centre."),
            (
                "paragraph",
                "<h2>Small numbers, big changes</h2><p>Rahul (name changed) is twelve. "
                "A year ago he could barely read a sentence aloud. In March he passed his exams "
                "with the second-best marks in his class, and he now helps the younger children "
                "with their letters.</p>",
            ),
            (
                "pull_quote",
                "I want to be a teacher, so I practise on the little ones.",
                "Rahul (name changed), 12",
            ),
            ("call_to_action", "volunteer"),
        ],
    },
    {
        "slug": "bread-at-dawn",
        "title": "Bread at dawn: the bakery’s first graduates",
        "days_ago": 48,
        "author": "Anil Gurung",
        "regions": ["kathmandu"],
        "tags": ["vocational training", "restoration"],
        "palette": "clay",
        "intro": "Six young women received their baking certificates in Kathmandu this month. "
        "Four of them already have jobs in the city’s cafés.",
        "body": [
            (
                "paragraph",
                "<p>The ovens are lit at five in the morning. By seven the first "
                "trays of bread rolls are cooling on the racks, and by eight they are on their way "
                "to two cafés and a guest house that buy from the training bakery every day.</p>",
            ),
            ("image", "bakery", "Cooling racks in the training bakery."),
            (
                "paragraph",
                "<p>Sita (name changed) joined the programme after a long stay at a "
                "partner’s rehabilitation home. <strong>Baking was the first thing she chose for "
                "herself.</strong> She now works the early shift at a café near Thamel and sends "
                "part of her wage home to her younger brothers at school.</p>",
            ),
            (
                "pull_quote",
                "Bread does not care about your past. If you are patient, it rises.",
                "Sita (name changed)",
            ),
        ],
    },
    {
        "slug": "why-our-church-is-joining-freedom-sunday",
        "title": "Why our church is joining Freedom Sunday",
        "days_ago": 63,
        "author": "Pastor Joel Navarro",
        "regions": ["manila"],
        "tags": ["prayer"],
        "palette": "river",
        "campaign": True,
        "names_changed": False,
        "intro": "A pastor in Manila on why his congregation will give one Sunday each year to "
        "pray for people who are trafficked, and to learn how to help.",
        "body": [
            (
                "paragraph",
                "<p>Last year our youth group read a few stories from Vigil’s "
                "partners and asked a hard question: <em>what are we doing about this?</em> The "
                "honest answer was: not much. Freedom Sunday gave us a place to start.</p>",
            ),
            (
                "paragraph",
                "<h2>What we will do</h2><ul><li>Preach from Isaiah 61 and pray "
                "for the drop-in centres by name.</li><li>Give the day’s offering to the "
                "vocational training programmes.</li><li>Invite a local social worker to talk "
                "with parents about keeping children safe online.</li></ul>",
            ),
            ("pull_quote", "Prayer is where we begin, not where we stop.", "Pastor Joel Navarro"),
            ("call_to_action", "freedom-sunday"),
        ],
    },
    {
        "slug": "learning-to-read-at-forty",
        "title": "Learning to read at forty",
        "days_ago": 85,
        "author": "Priya Nair",
        "regions": ["mumbai"],
        "tags": ["education", "restoration"],
        "palette": "dusk",
        "intro": "Meena (name changed) signed her name for the first time this spring. Now she "
        "reads the bus timetable, her medicine labels and bedtime stories for her grandson.",
        "body": [
            (
                "paragraph",
                "<p>The literacy class meets twice a week in a borrowed church hall. "
                "There are nine students, the youngest twenty-three and the oldest fifty-one, and "
                "one patient teacher who has never missed a lesson.</p>",
            ),
            (
                "pull_quote",
                "I used to ask strangers to read things for me. Now I read them for other people.",
                "Meena (name changed)",
            ),
            ("image", "classroom", "Alphabet cards on the wall of the literacy class."),
            (
                "paragraph",
                "<p>Reading opens doors that were closed: a bank account, a "
                "government ration card, a job application. Three of Meena’s classmates have "
                "applied for the tailoring course this year.</p>",
            ),
        ],
    },
    {
        "slug": "home-after-a-long-journey",
        "title": "Home after a long journey",
        "days_ago": 104,
        "author": "Anil Gurung",
        "regions": ["kathmandu", "mumbai"],
        "tags": ["rescue", "restoration"],
        "palette": "field",
        "intro": "With partners in two countries, Maya (name changed) travelled home to her "
        "family in the hills of Nepal, where a counsellor and a place in a training course "
        "were waiting.",
        "body": [
            (
                "paragraph",
                "<p>Returning home is not the end of a story like Maya’s; it is the "
                "start of a new chapter that needs care. Our partners in Mumbai and Kathmandu "
                "worked together for months so that she would travel safely, be met by people she "
                "trusted, and have support once she arrived.</p>",
            ),
            ("image", "hills", "Terraced fields near Maya’s home village."),
            (
                "paragraph",
                "<p>Maya meets a counsellor every week and has joined the bakery "
                "programme in Kathmandu. Her mother travels in with her on training days.</p>",
            ),
            (
                "pull_quote",
                "I was afraid nobody would want me back. My mother was waiting at "
                "the bus stop two hours early.",
                "Maya (name changed)",
            ),
            ("call_to_action", "pray"),
        ],
    },
    {
        "slug": "saturday-football-club",
        "title": "The Saturday football club",
        "days_ago": 131,
        "author": "Naomi Clarke",
        "regions": ["chiang-mai"],
        "tags": ["children"],
        "palette": "field",
        "intro": "Thirty children, two borrowed goals and one rule: everybody plays. A kids’ "
        "club in Chiang Mai has become the safest part of many children’s week.",
        "body": [
            (
                "paragraph",
                "<p>The club started because a youth worker noticed children "
                "spending their Saturdays alone near the night market. Now they spend the morning "
                "on a school pitch with coaches who know their names.</p>",
            ),
            (
                "pull_quote",
                "Here nobody shouts at me unless I miss an open goal.",
                "Niran (name changed), 10",
            ),
            (
                "paragraph",
                "<p>After the match there is rice, fruit and a short talk about "
                "staying safe: who to call, which adults to trust, and how to say no. Volunteers "
                "have all completed safeguarding training and background checks.</p>",
            ),
            ("image", "pitch", "The school pitch on a Saturday morning."),
        ],
    },
    {
        "slug": "the-volunteers-who-answer-at-midnight",
        "title": "The volunteers who answer at midnight",
        "days_ago": 158,
        "author": "Priya Nair",
        "regions": ["mumbai"],
        "tags": ["rescue", "prayer"],
        "palette": "lamplight",
        "names_changed": False,
        "intro": "A team of trained volunteers keeps our partner’s helpline open through the "
        "night. We asked two of them why they give up their sleep.",
        "body": [
            (
                "paragraph",
                "<p>Deepa and Samuel share the Tuesday night shift. Between them "
                "they have answered more than four hundred calls: from women who want to leave, "
                "from worried neighbours, and sometimes from people who only need someone to "
                "listen.</p>",
            ),
            (
                "pull_quote",
                "We cannot fix everything in one phone call. But we can make sure "
                "nobody calls and finds no one there.",
                "Deepa, helpline volunteer",
            ),
            (
                "paragraph",
                "<p>Every volunteer completes forty hours of training, works with "
                "a supervisor on call, and meets the team each month to talk through hard "
                "conversations. Deepa and Samuel agreed to be named in this story.</p>",
            ),
            ("image", "night-city", "City lights seen from the helpline office."),
            ("call_to_action", "volunteer"),
        ],
    },
    {
        "slug": "from-trainee-to-trainer",
        "title": "From trainee to trainer",
        "days_ago": 190,
        "author": "Grace Villanueva",
        "regions": ["manila"],
        "tags": ["vocational training", "restoration"],
        "palette": "dusk",
        "intro": "Three years ago Joy (name changed) was a student in the beauty training "
        "course. Today she runs it.",
        "body": [
            (
                "paragraph",
                "<p>Joy remembers her first day in the salon classroom: she sat by "
                "the door and did not speak. Her trainer gave her a simple job, sorting brushes, "
                "and told her she could leave whenever she wanted. She came back the next day, and "
                "the day after that.</p>",
            ),
            ("image", "salon", "Mirrors and chairs in the training salon."),
            (
                "pull_quote",
                "I tell every new student the same thing my teacher told me: you "
                "can leave whenever you want. Almost nobody does.",
                "Joy (name changed)",
            ),
            (
                "paragraph",
                "<p>Joy now leads a class of eight, manages the salon’s small "
                "shop, and mentors two graduates who are opening a salon of their own.</p>",
            ),
        ],
    },
    {
        "slug": "a-night-of-prayer-for-kolkata",
        "title": "A night of prayer for Kolkata",
        "days_ago": 236,
        "author": "Naomi Clarke",
        "regions": ["kolkata"],
        "tags": ["prayer"],
        "palette": "dusk",
        "campaign": True,
        "intro": "From eight in the evening until six in the morning, churches in five "
        "countries took turns to pray for the women and children of Kolkata.",
        "body": [
            (
                "paragraph",
                "<p>Each church signed up for an hour. A short prayer guide, written "
                "with the centre’s staff, named what they could share: the exams coming up for "
                "the study club, the health of two staff members, wisdom for the new "
                "counsellor.</p>",
            ),
            (
                "pull_quote",
                "At three in the morning I thought I was alone. Then I saw the "
                "list: a church in Manila was praying with me.",
                "A volunteer in Bristol",
            ),
            ("image", "candles", "Candles lit at the start of the prayer night."),
            (
                "paragraph",
                "<p>Prayer requests about individual women are never published. "
                "They are shared only with a small team of vetted prayer partners.</p>",
            ),
            ("call_to_action", "freedom-sunday"),
        ],
    },
    {
        "slug": "twelve-women-one-savings-group",
        "title": "Twelve women, one savings group",
        "days_ago": 287,
        "author": "Naomi Clarke",
        "regions": ["chiang-mai"],
        "tags": ["vocational training", "restoration"],
        "palette": "river",
        "intro": "Each week twelve women put a little money into a shared box. After a year "
        "they have paid school fees, repaired a roof and started two small businesses.",
        "body": [
            (
                "paragraph",
                "<p>The savings group meets on Wednesday afternoons. Each member "
                "saves what she can, borrows when she needs to, and repays with a small interest "
                "that goes back to the group. The rules were written by the women themselves.</p>",
            ),
            ("image", "market", "A market stall selling woven bags in Chiang Mai."),
            (
                "pull_quote",
                "Nobody here has to ask a stranger for money any more.",
                "Lamai (name changed), group treasurer",
            ),
            (
                "paragraph",
                "<p>Two members now sell woven bags at the weekend market, and a "
                "third has opened a noodle stall near the university.</p>",
            ),
        ],
    },
    {
        "slug": "a-second-classroom-in-kathmandu",
        "title": "A second classroom in Kathmandu",
        "days_ago": 341,
        "author": "Anil Gurung",
        "regions": ["kathmandu"],
        "tags": ["education", "children"],
        "palette": "dawn",
        "names_changed": False,
        "intro": "Thanks to supporters who gave during last year’s appeal, the centre opened "
        "a second classroom for children whose mothers are in training.",
        "body": [
            (
                "paragraph",
                "<p>Until this year, children waited for their mothers in the "
                "bakery’s storeroom. The new classroom has windows, a bookshelf, twenty small "
                "chairs and a teacher who also speaks the children’s home languages.</p>",
            ),
            ("image", "classroom", "The new classroom before the children arrived."),
            (
                "paragraph",
                "<p>With childcare in place, more mothers can finish their "
                "training. Next year we hope to offer a place to every trainee who needs one.</p>",
            ),
            (
                "pull_quote",
                "When the children are safe, their mothers can learn.",
                "Centre coordinator, Kathmandu",
            ),
            ("call_to_action", "give"),
        ],
    },
]
