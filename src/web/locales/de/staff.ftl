### herald web interface — German (de)
### status: draft
### Machine draft: a native German speaker should review the wording, in particular the terms for campaign states, "dead letters" and "kill switch", and the formal address (Sie).

language-name = Deutsch

## Datum und Uhrzeit

date = { $day }. { $month } { $year }
datetime-utc = { $day }. { $month } { $year }, { $time } UTC
datetime-local = { $weekday }, { $day }. { $month } { $year }, { $time } (UTC{ $offset })
month-1 = Jan.
month-2 = Feb.
month-3 = März
month-4 = Apr.
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = Aug.
month-9 = Sept.
month-10 = Okt.
month-11 = Nov.
month-12 = Dez.
weekday-1 = Mo.
weekday-2 = Di.
weekday-3 = Mi.
weekday-4 = Do.
weekday-5 = Fr.
weekday-6 = Sa.
weekday-7 = So.

## Seitenrahmen und Navigation

layout-skip = Zum Inhalt springen
layout-main-nav = Hauptnavigation
layout-signed-in-as = Angemeldet als { $user } ({ $roles })
layout-sign-out = Abmelden
nav-campaigns = Kampagnen
nav-dead-letters = Unzustellbare Sendungen
nav-unknown-outcomes = Unbekannte Ergebnisse
nav-subscribers = Abonnenten
nav-users = Benutzer
nav-notifications = Benachrichtigungen
nav-settings = Meine Einstellungen
render-failed = Die Seite konnte nicht angezeigt werden; siehe Serverprotokoll.

## Versionsstatus

state-draft = Entwurf
state-submitted = eingereicht
state-approved = freigegeben
state-rejected = abgelehnt
state-scheduled = eingeplant
state-running = läuft
state-paused = pausiert
state-completed = abgeschlossen
state-cancelled = abgebrochen

## Anmeldung

title-sign-in = Anmelden
login-intro = Melden Sie sich mit Ihrem herald-API-Token an (id.secret, aus „herald user add“). Das Token wird gegen eine Sitzung getauscht und nicht in Ihrem Browser gespeichert.
login-token = API-Token
login-submit = Anmelden
login-unknown-token = Dieses Token ist unbekannt, fehlerhaft, widerrufen oder abgelaufen.
login-too-many = Zu viele fehlgeschlagene Anmeldungen von dieser Adresse: Warten Sie eine Minute und versuchen Sie es erneut.

## Fehler

error-heading-forbidden = Nicht erlaubt
error-heading-not-found = Nicht gefunden
error-heading-conflict = Derzeit nicht möglich
error-heading-too-many = Zu viele Versuche
error-heading-server = Etwas ist schiefgegangen
error-heading-other = Nicht möglich
error-status = HTTP { $status }
error-back = Zurück zu den Kampagnen
error-server-said = Der Server meldet:
error-sign-in-first = Melden Sie sich zuerst an.
error-needs-roles = Diese Seite erfordert eine der Rollen: { $allowed }. Ihre Rollen: { $roles }.
error-form-too-large = Das Formular ist zu groß.
error-csrf = Dieses Formular ist veraltet oder stammt nicht von herald (CSRF-Token fehlt oder ist falsch). Laden Sie die Seite neu und versuchen Sie es erneut.
error-session-ended = Ihre Sitzung ist abgelaufen; melden Sie sich erneut an.
error-foreign-form = Dieses Formular stammt nicht von herald.
error-no-campaign = Diese Kampagne gibt es nicht.
error-unloadable = Diese Version lässt sich mit der Konfiguration des Servers nicht laden; siehe Serverprotokoll.
error-kill-unconfirmed = Nichts wurde gestoppt: Setzen Sie das Häkchen bei „Mir ist bewusst, dass dies alle ausstehenden Sendungen dieser Kampagne stoppt“, um den Notschalter zu verwenden.
error-unknown-language = Diese Sprache gibt es in der Oberfläche nicht.
api-error-own-version = Sie haben diese Version verfasst, daher muss eine andere freigebende Person sie freigeben oder ablehnen (Vier-Augen-Prinzip).
api-error-illegal-transition = Diese Version kann aus ihrem jetzigen Status nicht in diesen Status wechseln.
api-error-own-access = Sie können Ihren eigenen Zugang nicht widerrufen.
api-error-user-exists = Es gibt bereits einen Benutzer mit diesem Namen.
api-error-storage-full = Der Speicher des Servers ist voll; nichts wurde geändert. Informieren Sie den Betrieb.

## Kampagnen

title-campaigns = Kampagnen
campaigns-caption = Alle Kampagnen, ihre Versionen (neueste zuerst) und ihre nächste Sendung
campaigns-col-campaign = Kampagne
campaigns-col-versions = Versionen
campaigns-col-next-send = Nächste Sendung
campaigns-col-pages = Seiten
campaigns-none-planned = keine geplant
campaigns-empty = Es wurde noch keine Kampagne hochgeladen.
tab-review = Prüfung
tab-schedule = Zeitplan
tab-dispatch = Versand
tab-report = Bericht
tabs-label = Seiten der Kampagne

## Eine Kampagne

title-campaign = Kampagne { $campaign }
campaign-versions = Versionen
campaign-version = Version
campaign-uploaded = Hochgeladen am { $created }; zuletzt geändert am { $updated }.
campaign-written-by = Verfasst von:
campaign-author-unknown = unbekannt
campaign-show-texts = Texte dieser Version anzeigen
campaign-submit = Zur Freigabe einreichen
campaign-note = Anmerkung (optional)
campaign-approve = Freigeben
campaign-reject = Ablehnen
campaign-why-not-role = Freigeben oder Ablehnen erfordert die Rolle approver.
campaign-why-not-author = Sie haben diese Version verfasst, daher muss eine andere freigebende Person sie freigeben oder ablehnen (Vier-Augen-Prinzip).
campaign-translations-of = Übersetzungen der Version
campaign-drafts = Übersetzungsentwürfe (zu prüfen):
campaign-missing = { $missing ->
    [one] Ein Text fehlt: Diese Version kann nicht gesendet werden.
   *[other] { $missing } Texte fehlen: Diese Version kann nicht gesendet werden.
}
campaign-complete = Jeder Text erreicht jede Sprache des Publikums.
campaign-matrix-caption = Vollständigkeit: woher jeder Text kommt, je Sprache des Publikums
campaign-matrix-text = Text
cell-translated = übersetzt
cell-falls-back = Ersatz aus { $from }
cell-missing = fehlt
campaign-previews = Was jedes Publikum erhält
campaign-variant = Variante { $variant }
campaign-fallback-note = Angezeigt in { $source } (Ersatz für { $locale }).
campaign-length = { $length ->
    [one] { $length } Zeichen
   *[other] { $length } Zeichen
}
campaign-length-of = { $length } von { $limit } Zeichen
campaign-too-long = zu lang
campaign-no-previews = Kein Text zur Vorschau.

## Zeitplan

title-schedule = Zeitplan: { $campaign }
schedule-caption = Freigegebene und spätere Versionen, und was mit jeder möglich ist
schedule-col-version = Version
schedule-col-state = Status
schedule-col-actions = Aktionen
schedule-shown-below = (unten angezeigt)
schedule-schedule = Einplanen
schedule-pause = Pausieren
schedule-resume = Fortsetzen
schedule-cancel = Version abbrechen
schedule-none-approved = Noch keine Version ist freigegeben: nichts einzuplanen.
schedule-upcoming = Anstehende Sendungen
schedule-upcoming-of = Anstehende Sendungen der Version
schedule-from = Ab { $now }. Zeiten in UTC und in der Ortszeit des Publikums.
schedule-upcoming-caption = { $total ->
    [one] Eine anstehende Sendung
   *[other] { $total } anstehende Sendungen
}
schedule-upcoming-more = (die ersten 50 sind aufgeführt; { $more } weitere)
schedule-col-utc = UTC
schedule-col-local = Ortszeit des Publikums
schedule-col-zone = Zeitzone
schedule-col-segment = Segment
schedule-col-send = Sendung
schedule-col-channels = Kanäle
schedule-no-upcoming = Keine anstehenden Sendungen.

## Versand

title-dispatch = Versand: { $campaign }
dispatch-killed = Notschalter aktiv: Alle ausstehenden Sendungen dieser Kampagne sind gestoppt.
dispatch-outbox = Postausgang
dispatch-outbox-of = Postausgang der Version
dispatch-as-of = Stand: { $now }.
dispatch-caption = Aufträge je Kanal und Status
dispatch-col-channel = Kanal
dispatch-col-queued = wartend
dispatch-col-sending = wird gesendet
dispatch-col-sent = gesendet
dispatch-col-dead = fehlgeschlagen (endgültig)
dispatch-col-unknown = unbekannt
dispatch-col-cancelled = abgebrochen
dispatch-col-other = sonstige
dispatch-waiting = nicht bereit: wartet auf { $accounts } (seine Aufträge bleiben in der Warteschlange)
dispatch-no-jobs = Noch keine Aufträge.
dispatch-pause-rule = Eine pausierte Version sendet nichts mehr, sobald der bereits laufende Stapel hinaus ist (höchstens 20 Sekunden getakteter Sendungen). Was während der Pause fällig wird, wird übersprungen und nach dem Fortsetzen nicht verspätet gesendet: Seine Nachrichten erscheinen als abgebrochen, und der Zeitplan geht mit der nächsten Sendezeit weiter.
dispatch-kill-heading = Notschalter
dispatch-kill-intro = Stoppt jede ausstehende Sendung und jeden Wiederholungsversuch dieser Kampagne, jetzt und künftig. Verwenden Sie ihn, wenn etwas nicht stimmt und nicht warten kann.
dispatch-kill-confirm = Mir ist bewusst, dass dies alle ausstehenden Sendungen dieser Kampagne stoppt
dispatch-kill = Alle Sendungen stoppen
dispatch-schedulers-only = Nur Personen mit der Rolle scheduler pausieren, setzen fort oder stoppen Sendungen.

## Bericht

title-report = Reichweitenbericht: { $campaign }
report-period = Zeitraum
report-breakdown = Aufschlüsselung
report-from = Von
report-until = Bis
report-compare = Vergleichen mit
report-compare-placeholder = Kampagnen-IDs, durch Kommas getrennt
report-show = Anzeigen
report-choices-note = Wählbar sind nur die Zeiträume und Aufschlüsselungen, die die Veröffentlichungsrichtlinie der Installation veröffentlicht; Daten wählen ganze Wochen oder Tage (mit Zeitraum Woche oder Tag).
report-downloads = Downloads:
report-settled-weeks = Angezeigt werden die abgeschlossenen Wochen: Die gesamte Laufzeit wird veröffentlicht, sobald die Kampagne beendet und ihr letzter Tag abgeschlossen ist, ab { $from }.
report-in-english = Der Bericht selbst ist auf Englisch verfasst, so wie „herald report“ ihn schreibt.

## Unzustellbare Sendungen und unbekannte Ergebnisse

title-dead-letters = Unzustellbare Sendungen
dead-intro = Aufträge, die endgültig gescheitert sind: Der Partner hat sie abgelehnt, oder alle Versuche sind aufgebraucht. Lesen Sie zuerst die Antwort des Partners: Eine Wiederholung einer Nachricht, die der Partner dauerhaft ablehnt (falscher Chat, gesperrte Vorlage), scheitert erneut.
dead-retry-note = Eine Wiederholung stellt den Auftrag sofort fällig und mit neuem Versuchszähler zurück in die Warteschlange. Er behält seinen Idempotenzschlüssel, sodass ein Partner, der Dubletten erkennt, die Wiederholung verwirft, und seinen Vermerk „kann doppelt angekommen sein“, falls vorhanden.
dead-caption = Unzustellbare Sendungen, Aufträge { $first } bis { $last } (älteste zuerst)
jobs-col-job = Auftrag
jobs-col-campaign = Kampagne
jobs-col-target = Sendung, Segment, Sprache
jobs-col-channel = Kanal
jobs-col-slot = Termin
dead-col-attempts = Versuche
dead-col-partner = Antwort des Partners
dead-col-failed = Gescheitert
dead-col-action = Aktion
dead-may-repeat = kann doppelt angekommen sein: { $why }
dead-retry = Wiederholen
jobs-next = Nächste { $limit }
dead-none = Keine unzustellbaren Sendungen.
dead-none-after = Keine unzustellbaren Sendungen nach Auftrag { $after }.
dead-schedulers-only = Nur Personen mit der Rolle scheduler wiederholen unzustellbare Sendungen.
title-unknown-outcomes = Unbekannte Ergebnisse
unknown-intro = Sendungen, deren Antwort nie kam (Zeitüberschreitung, abgebrochene Verbindung, mitten im Senden gestoppter Prozess), bei einem Partner, der Wiederholungen nicht erkennen kann. herald sendet sie nie von selbst erneut: Die Person hat die Nachricht vielleicht schon. Prüfen Sie jede beim Partner (dessen Beitrag oder Zustellprotokoll) und geben Sie dann an, was Sie festgestellt haben.
unknown-counting-rule = „Zugestellt“ zählt die Nachricht als gesendet, „nicht zugestellt“ als gescheitert, und zwar an dem Tag, an dem Sie sie klären, nie an dem Tag, an dem die Antwort verloren ging: Ein Bericht veröffentlicht einen Tag erst, wenn er abgeschlossen ist, sodass sich keine bereits veröffentlichte Zahl ändert. Jeder Auftrag wird einmal geklärt; die erste Klärung gilt.
unknown-caption = Unbekannte Ergebnisse, Aufträge { $first } bis { $last } (älteste zuerst)
unknown-col-what = Was geschah
unknown-col-since = Seit
unknown-col-resolve = Klären
unknown-partner-says = Laut Partner wurde die Nachricht
unknown-delivered = zugestellt
unknown-not-delivered = nicht zugestellt
unknown-resend = Nicht zugestellt: erneut senden
unknown-confirm-resend = Ich habe beim Partner nachgefragt: Die Person hat sie nicht und erhält sie womöglich doppelt, falls der Partner sich irrt
unknown-resolve = Klären
unknown-none = Keine unbekannten Ergebnisse.
unknown-none-after = Keine unbekannten Ergebnisse nach Auftrag { $after }.
unknown-schedulers-only = Nur Personen mit der Rolle scheduler klären unbekannte Ergebnisse.
title-resolved = Unbekanntes Ergebnis geklärt
resolved-as = Auftrag { $id } von { $campaign } ist als „{ $resolution }“ geklärt, von { $by } am { $at }.
resolution-delivered = zugestellt
resolution-not-delivered = nicht zugestellt
resolution-not-delivered-resent = nicht zugestellt, erneut gesendet
resolved-resent = Er ist zurück in der Warteschlange und geht in Kürze erneut hinaus; sein eigenes Ergebnis wird beim Senden gezählt.
resolved-counted-sent = Er wird am { $day } als gesendet gezählt.
resolved-counted-failed = Er wird am { $day } als gescheitert gezählt.
resolved-back = Zurück zu den unbekannten Ergebnissen

## Abonnenten

title-subscribers = Abonnenten
subscribers-intro = Wie viele Personen jedem Messaging-Kanal folgen, nach Segment und Sprache. Zahlen unter k werden unterdrückt, wo nötig auch eine zweite, damit sich keine verborgene Zahl aus den Summen errechnen lässt: dieselben Tabellen wie „herald subscribers stats“.
subscribers-k = Zahlen unterdrücken unter
subscribers-show = Anzeigen
subscribers-none = Keine Abonnenten.

## Benutzer

title-users = Benutzer
users-intro = Wer herald mit welchen Rollen nutzen darf. Das Geheimnis eines Tokens wird einmal angezeigt, wenn der Benutzer hinzugefügt wird, und nie wieder: herald speichert nur seinen Hash. Das Widerrufen eines Benutzers beendet seinen Zugang sofort, über die API und im Browser.
users-caption = Benutzer
users-col-name = Name
users-col-roles = Rollen
users-col-added = Hinzugefügt
users-col-tokens = Aktive Tokens
users-col-sessions = Web-Sitzungen
users-col-access = Zugang
users-expires = läuft ab am { $at }
users-active-you = aktiv (Sie)
users-revoke = Widerrufen
users-revoked = widerrufen
users-add-heading = Benutzer hinzufügen
users-name = Name
users-roles = Rollen
users-add = Benutzer hinzufügen
title-user-added = Benutzer hinzugefügt
user-added = { $name } wurde mit den Rollen { $roles } hinzugefügt.
user-added-token = Das API-Token steht unten. Kopieren Sie es jetzt und übergeben Sie es über einen sicheren Kanal: Es wird nur dieses eine Mal angezeigt, und herald speichert nur seinen Hash.
user-added-back = Zurück zu den Benutzern

## Benachrichtigungen

title-notifications = Benachrichtigungen
notifications-intro = Worüber herald Sie informiert und wie. Benachrichtigungen enthalten nur Kampagne, Version, Konto, Zahlen und Zeiten: nie etwas über die Personen, die eine Kampagne erreicht. Ereignisse werden je Sammelintervall in einer Nachricht gebündelt; ein Notschalter oder ein Partnerausfall wird sofort gemeldet.
notifications-about = Informieren über
notifications-nothing-for-roles = Ihre Rollen erhalten keine Benachrichtigungen: Freigebende erfahren von Einreichungen, Einplanende von der Zustellung.
notifications-by = Per
notifications-email = E-Mail
notifications-webhook = Team-Chat
notifications-none = gar nicht
notifications-address = E-Mail-Adresse
notifications-save = Speichern
kind-version-submitted = eine zur Freigabe eingereichte Version
kind-dead-letters = unzustellbare Sendungen
kind-unknown-outcomes = unbekannte Ergebnisse
kind-template-blocked = eine von einem Partner gesperrte Nachrichtenvorlage
kind-partner-outage = einen Ausfall eines Partners
kind-kill-switch = die Verwendung des Notschalters

## Meine Einstellungen

title-settings = Meine Einstellungen
settings-intro = Die Sprache, in der herald seine Seiten anzeigt. „Wie mein Browser es wünscht“ folgt den Sprachen, die Ihr Browser sendet, und Englisch, wenn herald keine davon hat.
settings-language = Sprache
settings-language-browser = Wie mein Browser es wünscht
settings-save = Speichern
settings-saved = Ihre Einstellungen sind gespeichert.
settings-draft-note = Alle Übersetzungen außer Englisch sind maschinelle Entwürfe, die noch von Muttersprachlern geprüft werden müssen.

## Translation status in the completeness matrix
string-status-missing = fehlt
string-status-draft = Entwurf
string-status-translated = übersetzt
string-status-reviewed = geprüft
string-export-missing = fehlende Texte exportieren
string-status-source = Quelle
campaign-translate-with-tools = Mit Ihren Werkzeugen übersetzen:
