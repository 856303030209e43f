### safe-migration-sahel-2027 — English (en)
### Source language of the campaign: every message and attribute starts here.

-iom = IOM

sm-risks--a =
    Smugglers often promise a quick and safe journey. In reality, on the routes through the desert and across the sea, many people are abandoned, robbed, held for ransom or forced to work, and many lose their lives. If something goes wrong, smugglers answer to no one. Before you decide, get reliable information from { -iom } or from an organisation you trust.
    .title = Know the risks before you travel
    .cta = Read the facts

sm-risks--b =
    Before you pay a smuggler, ask yourself: who will help me if the vehicle breaks down in the desert, if I am arrested, or if I am asked for more money on the way? People who travelled with smugglers speak of debts, violence and long periods stuck in transit. You can get free and confidential advice from { -iom } and ask your questions before you decide.
    .title = Who will help you on the way?
    .cta = Ask before you go

sm-legal-options =
    There are legal ways to work, study or join your family abroad. They take time and come with conditions, but they do not put your life in the hands of smugglers. Start early: a visa procedure can take { $days ->
        [one] { $days } day
       *[other] { $days } days
    } or more. Only use official websites and embassies, and never pay anyone who promises you a guaranteed visa.
    .title = Safe and legal options
    .cta = Explore legal pathways

sm-diaspora =
    Your family and friends back home may ask you for advice, or for money for a journey with smugglers. You know the reality of the route and of life in Europe better than anyone. Share honest information, talk about the risks, and point them to the free and confidential advice that { -iom } offers on safe and legal options.
    .title = Your advice matters back home
    .cta = Share reliable information

# Sent to X and to the SMS partner: keep it short in every locale.
sm-alert = Smugglers put lives at risk. Ask for free, confidential advice on safe and legal options.
