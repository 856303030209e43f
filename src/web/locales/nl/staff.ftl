### herald web interface — Dutch (nl)
### status: draft
### Machine draft: a native Dutch speaker should review the wording, in particular the terms for campaign states, "dead letters" and "kill switch", and the formal address (u).

language-name = Nederlands

## Datum en tijd

date = { $day } { $month } { $year }
datetime-utc = { $day } { $month } { $year }, { $time } UTC
datetime-local = { $weekday } { $day } { $month } { $year }, { $time } (UTC{ $offset })
month-1 = jan
month-2 = feb
month-3 = mrt
month-4 = apr
month-5 = mei
month-6 = jun
month-7 = jul
month-8 = aug
month-9 = sep
month-10 = okt
month-11 = nov
month-12 = dec
weekday-1 = ma
weekday-2 = di
weekday-3 = wo
weekday-4 = do
weekday-5 = vr
weekday-6 = za
weekday-7 = zo

## Opmaak en navigatie

layout-skip = Naar de inhoud
layout-main-nav = Hoofdmenu
layout-signed-in-as = Aangemeld als { $user } ({ $roles })
layout-sign-out = Afmelden
nav-campaigns = Campagnes
nav-dead-letters = Onbestelbare berichten
nav-unknown-outcomes = Onbekende uitkomsten
nav-subscribers = Abonnees
nav-users = Gebruikers
nav-notifications = Meldingen
nav-settings = Mijn instellingen
render-failed = De pagina kon niet worden weergegeven; zie het serverlogboek.

## Status van versies

state-draft = concept
state-submitted = ingediend
state-approved = goedgekeurd
state-rejected = afgewezen
state-scheduled = ingepland
state-running = loopt
state-paused = gepauzeerd
state-completed = voltooid
state-cancelled = geannuleerd

## Aanmelden

title-sign-in = Aanmelden
login-intro = Meld u aan met uw herald-API-token (id.secret, uit „herald user add”). Het token wordt ingewisseld voor een sessie en wordt niet in uw browser bewaard.
login-token = API-token
login-submit = Aanmelden
login-unknown-token = Dat token is onbekend, onjuist gevormd, ingetrokken of verlopen.
login-too-many = Te veel mislukte aanmeldingen vanaf dit adres: wacht een minuut en probeer het opnieuw.

## Fouten

error-heading-forbidden = Niet toegestaan
error-heading-not-found = Niet gevonden
error-heading-conflict = Nu niet mogelijk
error-heading-too-many = Te veel pogingen
error-heading-server = Er is iets misgegaan
error-heading-other = Dat kan niet
error-status = HTTP { $status }
error-back = Terug naar de campagnes
error-server-said = De server meldt:
error-sign-in-first = Meld u eerst aan.
error-needs-roles = Voor deze pagina is een van deze rollen nodig: { $allowed }. Uw rollen: { $roles }.
error-form-too-large = Het formulier is te groot.
error-csrf = Dit formulier is verouderd of komt niet van herald (CSRF-token ontbreekt of klopt niet). Laad de pagina opnieuw en probeer het nog eens.
error-session-ended = Uw sessie is beëindigd; meld u opnieuw aan.
error-foreign-form = Dit formulier komt niet van herald.
error-no-campaign = Deze campagne bestaat niet.
error-unloadable = Deze versie kan met de configuratie van de server niet worden geladen; zie het serverlogboek.
error-kill-unconfirmed = Er is niets gestopt: vink „Ik begrijp dat dit alle openstaande verzendingen van deze campagne stopt” aan om de noodstop te gebruiken.
error-unknown-language = De interface bestaat niet in die taal.
api-error-own-version = U hebt deze versie geschreven, dus een andere goedkeurder moet haar goedkeuren of afwijzen (vier-ogenprincipe).
api-error-illegal-transition = Deze versie kan vanuit haar huidige status niet naar die status gaan.
api-error-own-access = U kunt uw eigen toegang niet intrekken.
api-error-user-exists = Er bestaat al een gebruiker met deze naam.
api-error-storage-full = De opslag van de server is vol; er is niets gewijzigd. Waarschuw het beheer.

## Campagnes

title-campaigns = Campagnes
campaigns-caption = Alle campagnes, hun versies (nieuwste eerst) en hun volgende verzending
campaigns-col-campaign = Campagne
campaigns-col-versions = Versies
campaigns-col-next-send = Volgende verzending
campaigns-col-pages = Pagina’s
campaigns-none-planned = niets gepland
campaigns-empty = Er is nog geen campagne geüpload.
tab-review = Beoordeling
tab-schedule = Planning
tab-dispatch = Verzending
tab-report = Rapport
tabs-label = Pagina’s van de campagne

## Eén campagne

title-campaign = Campagne { $campaign }
campaign-versions = Versies
campaign-version = Versie
campaign-uploaded = Geüpload op { $created }; laatst gewijzigd op { $updated }.
campaign-written-by = Geschreven door:
campaign-author-unknown = onbekend
campaign-show-texts = Teksten van deze versie tonen
campaign-submit = Ter goedkeuring indienen
campaign-note = Opmerking (optioneel)
campaign-approve = Goedkeuren
campaign-reject = Afwijzen
campaign-why-not-role = Goedkeuren of afwijzen vereist de rol approver.
campaign-why-not-author = U hebt deze versie geschreven, dus een andere goedkeurder moet haar goedkeuren of afwijzen (vier-ogenprincipe).
campaign-translations-of = Vertalingen van versie
campaign-drafts = Conceptvertalingen (nog te controleren):
campaign-missing = { $missing ->
    [one] Er ontbreekt één tekst: deze versie kan niet worden verzonden.
   *[other] Er ontbreken { $missing } teksten: deze versie kan niet worden verzonden.
}
campaign-complete = Elke tekst bereikt elke taal van het publiek.
campaign-matrix-caption = Volledigheid: waar elke tekst vandaan komt, per taal van het publiek
campaign-matrix-text = Tekst
cell-translated = vertaald
cell-falls-back = valt terug op { $from }
cell-missing = ontbreekt
campaign-previews = Wat elk publiek ontvangt
campaign-variant = variant { $variant }
campaign-fallback-note = Getoond in { $source } (vervanging voor { $locale }).
campaign-length = { $length ->
    [one] { $length } teken
   *[other] { $length } tekens
}
campaign-length-of = { $length } van { $limit } tekens
campaign-too-long = te lang
campaign-no-previews = Geen tekst om te bekijken.

## Planning

title-schedule = Planning: { $campaign }
schedule-caption = Goedgekeurde en latere versies, en wat er met elke versie kan
schedule-col-version = Versie
schedule-col-state = Status
schedule-col-actions = Acties
schedule-shown-below = (hieronder getoond)
schedule-schedule = Inplannen
schedule-pause = Pauzeren
schedule-resume = Hervatten
schedule-cancel = Versie annuleren
schedule-none-approved = Er is nog geen versie goedgekeurd: niets in te plannen.
schedule-upcoming = Komende verzendingen
schedule-upcoming-of = Komende verzendingen van versie
schedule-from = Vanaf { $now }. Tijden staan in UTC en in de lokale tijd van het publiek.
schedule-upcoming-caption = { $total ->
    [one] Eén komende verzending
   *[other] { $total } komende verzendingen
}
schedule-upcoming-more = (de eerste 50 staan vermeld; nog { $more })
schedule-col-utc = UTC
schedule-col-local = Lokale tijd van het publiek
schedule-col-zone = Tijdzone
schedule-col-segment = Segment
schedule-col-send = Verzending
schedule-col-channels = Kanalen
schedule-no-upcoming = Geen komende verzendingen.

## Verzending

title-dispatch = Verzending: { $campaign }
dispatch-killed = Noodstop actief: alle openstaande verzendingen van deze campagne zijn gestopt.
dispatch-outbox = Postvak uit
dispatch-outbox-of = Postvak uit van versie
dispatch-as-of = Stand van { $now }.
dispatch-caption = Taken per kanaal en status
dispatch-col-channel = Kanaal
dispatch-col-queued = in wachtrij
dispatch-col-sending = wordt verzonden
dispatch-col-sent = verzonden
dispatch-col-dead = mislukt (definitief)
dispatch-col-unknown = onbekend
dispatch-col-cancelled = geannuleerd
dispatch-col-other = overig
dispatch-waiting = niet gereed: wacht op { $accounts } (de taken blijven in de wachtrij)
dispatch-no-jobs = Nog geen taken.
dispatch-pause-rule = Een gepauzeerde versie verzendt niets meer zodra de partij die al onderweg is de deur uit is (hooguit 20 seconden aan getimede verzendingen). Wat tijdens de pauze aan de beurt is, wordt overgeslagen en niet alsnog verzonden bij het hervatten: de berichten staan als geannuleerd, en de planning gaat verder bij het volgende verzendmoment.
dispatch-kill-heading = Noodstop
dispatch-kill-intro = Stopt elke openstaande verzending en elke nieuwe poging van deze campagne, nu en later. Gebruik hem als er iets mis is dat niet kan wachten.
dispatch-kill-confirm = Ik begrijp dat dit alle openstaande verzendingen van deze campagne stopt
dispatch-kill = Alle verzendingen stoppen
dispatch-schedulers-only = Alleen planners pauzeren, hervatten of stoppen verzendingen.

## Rapport

title-report = Bereikrapport: { $campaign }
report-period = Periode
report-breakdown = Uitsplitsing
report-from = Van
report-until = Tot en met
report-compare = Vergelijken met
report-compare-placeholder = campagne-id’s, gescheiden door komma’s
report-show = Tonen
report-choices-note = Alleen de periodes en uitsplitsingen die het publicatiebeleid van deze installatie publiceert, kunnen worden gekozen; datums kiezen hele weken of dagen (met periode week of dag).
report-downloads = Downloads:
report-settled-weeks = De afgesloten weken worden getoond: de hele looptijd wordt gepubliceerd zodra de campagne is afgelopen en haar laatste dag is afgesloten, vanaf { $from }.
report-in-english = Het rapport zelf is in het Engels geschreven, zoals „herald report” het schrijft.

## Onbestelbare berichten en onbekende uitkomsten

title-dead-letters = Onbestelbare berichten
dead-intro = Taken die definitief mislukt zijn: de partner weigerde ze, of alle pogingen zijn opgebruikt. Lees eerst het antwoord van de partner: een nieuwe poging met een bericht dat de partner definitief weigert (een verkeerde chat, een geblokkeerd sjabloon) mislukt opnieuw.
dead-retry-note = Een nieuwe poging zet de taak terug in de wachtrij, direct aan de beurt, met een nieuwe teller voor pogingen. De taak houdt haar idempotentiesleutel, zodat een partner die dubbele berichten herkent de herhaling laat vallen, en haar markering „mogelijk twee keer aangekomen” als ze die heeft.
dead-caption = Onbestelbare berichten, taken { $first } tot en met { $last } (oudste eerst)
jobs-col-job = Taak
jobs-col-campaign = Campagne
jobs-col-target = Verzending, segment, taal
jobs-col-channel = Kanaal
jobs-col-slot = Tijdvak
dead-col-attempts = Pogingen
dead-col-partner = Antwoord van de partner
dead-col-failed = Mislukt
dead-col-action = Actie
dead-may-repeat = mogelijk twee keer aangekomen: { $why }
dead-retry = Opnieuw proberen
jobs-next = Volgende { $limit }
dead-none = Geen onbestelbare berichten.
dead-none-after = Geen onbestelbare berichten na taak { $after }.
dead-schedulers-only = Alleen planners proberen onbestelbare berichten opnieuw.
title-unknown-outcomes = Onbekende uitkomsten
unknown-intro = Verzendingen waarop nooit antwoord kwam (een time-out, een verbroken verbinding, een proces dat halverwege stopte) bij een partner die een herhaling niet herkent. herald verzendt deze nooit uit zichzelf opnieuw: de persoon heeft het bericht misschien al. Controleer elke verzending bij de partner (het bericht of het afleverlogboek) en geef dan aan wat u vond.
unknown-counting-rule = „Afgeleverd” telt het bericht als verzonden en „niet afgeleverd” als mislukt, op de dag dat u het afhandelt, nooit op de dag dat het antwoord verloren ging: een rapport publiceert een dag pas als die is afgesloten, dus geen al gepubliceerd cijfer verandert. Elke taak wordt één keer afgehandeld; de eerste afhandeling blijft gelden.
unknown-caption = Onbekende uitkomsten, taken { $first } tot en met { $last } (oudste eerst)
unknown-col-what = Wat er gebeurde
unknown-col-since = Sinds
unknown-col-resolve = Afhandelen
unknown-partner-says = Volgens de partner is het bericht
unknown-delivered = afgeleverd
unknown-not-delivered = niet afgeleverd
unknown-resend = Niet afgeleverd: opnieuw verzenden
unknown-confirm-resend = Ik heb het bij de partner nagevraagd: de persoon heeft het niet, en krijgt het mogelijk twee keer als de partner zich vergiste
unknown-resolve = Afhandelen
unknown-none = Geen onbekende uitkomsten.
unknown-none-after = Geen onbekende uitkomsten na taak { $after }.
unknown-schedulers-only = Alleen planners handelen onbekende uitkomsten af.
title-resolved = Onbekende uitkomst afgehandeld
resolved-as = Taak { $id } van { $campaign } is afgehandeld als „{ $resolution }” door { $by } op { $at }.
resolution-delivered = afgeleverd
resolution-not-delivered = niet afgeleverd
resolution-not-delivered-resent = niet afgeleverd, opnieuw verzonden
resolved-resent = De taak staat weer in de wachtrij en gaat binnenkort opnieuw de deur uit; haar eigen uitkomst wordt geteld bij verzending.
resolved-counted-sent = Ze telt als verzonden op { $day }.
resolved-counted-failed = Ze telt als mislukt op { $day }.
resolved-back = Terug naar de onbekende uitkomsten

## Abonnees

title-subscribers = Abonnees
subscribers-intro = Hoeveel mensen elk berichtenkanaal volgen, per segment en taal. Aantallen onder k worden verborgen, en waar nodig ook een tweede aantal, zodat geen verborgen aantal uit de totalen kan worden afgeleid: dezelfde tabellen als „herald subscribers stats”.
subscribers-k = Aantallen verbergen onder
subscribers-show = Tonen
subscribers-none = Geen abonnees.

## Gebruikers

title-users = Gebruikers
users-intro = Wie herald mag gebruiken, en met welke rollen. Het geheim van een token wordt één keer getoond, bij het toevoegen van de gebruiker, en daarna nooit meer: herald bewaart alleen de hash. Een gebruiker intrekken beëindigt diens toegang meteen, via de API en in de browser.
users-caption = Gebruikers
users-col-name = Naam
users-col-roles = Rollen
users-col-added = Toegevoegd
users-col-tokens = Actieve tokens
users-col-sessions = Websessies
users-col-access = Toegang
users-expires = verloopt op { $at }
users-active-you = actief (u)
users-revoke = Intrekken
users-revoked = ingetrokken
users-add-heading = Gebruiker toevoegen
users-name = Naam
users-roles = Rollen
users-add = Gebruiker toevoegen
title-user-added = Gebruiker toegevoegd
user-added = { $name } is toegevoegd met de rollen { $roles }.
user-added-token = Het API-token staat hieronder. Kopieer het nu en geef het via een veilig kanaal door: het wordt alleen deze keer getoond, en herald bewaart alleen de hash.
user-added-back = Terug naar de gebruikers

## Meldingen

title-notifications = Meldingen
notifications-intro = Waarover herald u informeert, en hoe. Meldingen bevatten alleen campagne, versie, account, aantallen en tijden: nooit iets over de mensen die een campagne bereikt. Gebeurtenissen worden per overzichtsinterval in één bericht gebundeld; een noodstop of een storing bij een partner gaat direct.
notifications-about = Informeer mij over
notifications-nothing-for-roles = Uw rollen krijgen geen meldingen: goedkeurders horen van indieningen, planners van aflevering.
notifications-by = Via
notifications-email = e-mail
notifications-webhook = de teamchat
notifications-none = niets
notifications-address = E-mailadres
notifications-save = Opslaan
kind-version-submitted = een ter goedkeuring ingediende versie
kind-dead-letters = onbestelbare berichten
kind-unknown-outcomes = onbekende uitkomsten
kind-template-blocked = een door een partner geblokkeerd berichtsjabloon
kind-partner-outage = een storing bij een partner
kind-kill-switch = het gebruik van de noodstop

## Mijn instellingen

title-settings = Mijn instellingen
settings-intro = De taal waarin de pagina’s van herald worden getoond. „Zoals mijn browser vraagt” volgt de talen die uw browser meestuurt, en Engels als herald daar geen van heeft.
settings-language = Taal
settings-language-browser = Zoals mijn browser vraagt
settings-save = Opslaan
settings-saved = Uw instellingen zijn opgeslagen.
settings-draft-note = Alle vertalingen behalve het Engels zijn machinale concepten die nog door een moedertaalspreker moeten worden nagekeken.

## Translation status in the completeness matrix
string-status-missing = ontbreekt
string-status-draft = concept
string-status-translated = vertaald
string-status-reviewed = nagekeken
string-export-missing = ontbrekende teksten exporteren
string-status-source = bron
campaign-translate-with-tools = Vertaal met uw eigen hulpmiddelen:
