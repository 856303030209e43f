### safe-migration-sahel-2027 — French (fr)
### Fallback language of the third-country-sahel segment: keep it complete.

-iom = l’OIM

sm-risks--a =
    Les passeurs promettent souvent un voyage rapide et sûr. En réalité, sur les routes du désert et de la mer, beaucoup de personnes sont abandonnées, volées, retenues contre rançon ou forcées à travailler, et beaucoup perdent la vie. Si quelque chose tourne mal, les passeurs ne rendent de comptes à personne. Avant de décider, informez-vous auprès de { -iom } ou d’une organisation de confiance.
    .title = Connaître les risques avant de partir
    .cta = Lire les faits

sm-risks--b =
    Avant de payer un passeur, posez-vous la question : qui m’aidera si le véhicule tombe en panne dans le désert, si je suis arrêté, ou si l’on me demande plus d’argent en route ? Des personnes qui ont voyagé avec des passeurs parlent de dettes, de violences et de longues périodes bloquées en transit. Vous pouvez obtenir des conseils gratuits et confidentiels auprès de { -iom } et poser vos questions avant de décider.
    .title = Qui vous aidera en route ?
    .cta = Se renseigner avant de partir

sm-legal-options =
    Il existe des voies légales pour travailler, étudier ou rejoindre sa famille à l’étranger. Elles prennent du temps et comportent des conditions, mais elles ne mettent pas votre vie entre les mains des passeurs. Commencez tôt : une procédure de visa peut prendre { $days ->
        [one] { $days } jour
       *[other] { $days } jours
    } ou plus. Utilisez uniquement les sites officiels et les ambassades, et ne payez jamais quelqu’un qui vous promet un visa garanti.
    .title = Des options sûres et légales
    .cta = Découvrir les voies légales

sm-diaspora =
    Vos proches restés au pays vous demandent peut-être des conseils, ou de l’argent pour un voyage avec des passeurs. Vous connaissez mieux que quiconque la réalité de la route et de la vie en Europe. Partagez des informations honnêtes, parlez des risques et orientez-les vers les conseils gratuits et confidentiels que propose { -iom } sur les options sûres et légales.
    .title = Vos conseils comptent pour vos proches
    .cta = Partager des informations fiables

# Envoyé sur X et au partenaire SMS : rester court.
sm-alert = Les passeurs mettent des vies en danger. Demandez des conseils gratuits et confidentiels sur les options sûres et légales.
