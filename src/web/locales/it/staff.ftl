### herald web interface — Italian (it)
### status: draft
### Machine draft: a native Italian speaker should review the wording, in particular the terms for campaign states, "dead letters" and "kill switch", and the formal address (Lei).

language-name = Italiano

## Date e orari

date = { $day } { $month } { $year }
datetime-utc = { $day } { $month } { $year }, { $time } UTC
datetime-local = { $weekday } { $day } { $month } { $year }, { $time } (UTC{ $offset })
month-1 = gen
month-2 = feb
month-3 = mar
month-4 = apr
month-5 = mag
month-6 = giu
month-7 = lug
month-8 = ago
month-9 = set
month-10 = ott
month-11 = nov
month-12 = dic
weekday-1 = lun
weekday-2 = mar
weekday-3 = mer
weekday-4 = gio
weekday-5 = ven
weekday-6 = sab
weekday-7 = dom

## Struttura e navigazione

layout-skip = Vai al contenuto
layout-main-nav = Principale
layout-signed-in-as = Accesso effettuato come { $user } ({ $roles })
layout-sign-out = Esci
nav-campaigns = Campagne
nav-dead-letters = Invii falliti
nav-unknown-outcomes = Esiti sconosciuti
nav-subscribers = Iscritti
nav-users = Utenti
nav-notifications = Notifiche
nav-settings = Le mie impostazioni
render-failed = Impossibile visualizzare la pagina; consultare il registro del server.

## Stati delle versioni

state-draft = bozza
state-submitted = inviata per approvazione
state-approved = approvata
state-rejected = respinta
state-scheduled = pianificata
state-running = in corso
state-paused = in pausa
state-completed = completata
state-cancelled = annullata

## Accesso

title-sign-in = Accedi
login-intro = Acceda con il Suo token API di herald (id.secret, ottenuto con «herald user add»). Il token viene scambiato con una sessione e non resta nel browser.
login-token = Token API
login-submit = Accedi
login-unknown-token = Il token è sconosciuto, malformato, revocato o scaduto.
login-too-many = Troppi accessi non riusciti da questo indirizzo: attenda un minuto e riprovi.

## Errori

error-heading-forbidden = Non consentito
error-heading-not-found = Non trovato
error-heading-conflict = Non possibile ora
error-heading-too-many = Troppi tentativi
error-heading-server = Si è verificato un errore
error-heading-other = Operazione non possibile
error-status = HTTP { $status }
error-back = Torna alle campagne
error-server-said = Il server ha risposto:
error-sign-in-first = Acceda prima.
error-needs-roles = Questa pagina richiede uno dei ruoli: { $allowed }. I Suoi ruoli: { $roles }.
error-form-too-large = Il modulo è troppo grande.
error-csrf = Questo modulo è scaduto o non proviene da herald (token CSRF mancante o errato). Ricarichi la pagina e riprovi.
error-session-ended = La Sua sessione è terminata; acceda di nuovo.
error-foreign-form = Questo modulo non proviene da herald.
error-no-campaign = Questa campagna non esiste.
error-unloadable = Questa versione non può essere caricata con la configurazione del server; consultare il registro del server.
error-kill-unconfirmed = Non è stato fermato nulla: spunti «Sono consapevole che questo ferma tutti gli invii in attesa di questa campagna» per usare l’arresto di emergenza.
error-unknown-language = L’interfaccia non esiste in questa lingua.
api-error-own-version = Lei è autore di questa versione, quindi un’altra persona con il ruolo di approvatore deve approvarla o respingerla (principio dei quattro occhi).
api-error-illegal-transition = Questa versione non può passare a quello stato dal suo stato attuale.
api-error-own-access = Non può revocare il Suo stesso accesso.
api-error-user-exists = Esiste già un utente con questo nome.
api-error-storage-full = Lo spazio di archiviazione del server è pieno; non è stato modificato nulla. Avvisi il personale tecnico.

## Campagne

title-campaigns = Campagne
campaigns-caption = Tutte le campagne, le loro versioni (dalla più recente) e il prossimo invio
campaigns-col-campaign = Campagna
campaigns-col-versions = Versioni
campaigns-col-next-send = Prossimo invio
campaigns-col-pages = Pagine
campaigns-none-planned = nessuno previsto
campaigns-empty = Non è stata ancora caricata alcuna campagna.
tab-review = Revisione
tab-schedule = Pianificazione
tab-dispatch = Spedizione
tab-report = Rapporto
tabs-label = Pagine della campagna

## Una campagna

title-campaign = Campagna { $campaign }
campaign-versions = Versioni
campaign-version = Versione
campaign-uploaded = Caricata il { $created }; ultima modifica il { $updated }.
campaign-written-by = Scritta da:
campaign-author-unknown = sconosciuto
campaign-show-texts = Mostra i testi di questa versione
campaign-submit = Invia per approvazione
campaign-note = Nota (facoltativa)
campaign-approve = Approva
campaign-reject = Respingi
campaign-why-not-role = Per approvare o respingere serve il ruolo di approvatore.
campaign-why-not-author = Lei è autore di questa versione, quindi un’altra persona con il ruolo di approvatore deve approvarla o respingerla (principio dei quattro occhi).
campaign-translations-of = Traduzioni della versione
campaign-drafts = Traduzioni in bozza (da rivedere):
campaign-missing = { $missing ->
    [one] Manca un testo: questa versione non può essere inviata.
   *[other] Mancano { $missing } testi: questa versione non può essere inviata.
}
campaign-complete = Ogni testo raggiunge ogni lingua del pubblico.
campaign-matrix-caption = Completezza: da dove viene ogni testo, per lingua del pubblico
campaign-matrix-text = Testo
cell-translated = tradotto
cell-falls-back = sostituito da { $from }
cell-missing = mancante
campaign-previews = Che cosa riceve ogni pubblico
campaign-variant = variante { $variant }
campaign-fallback-note = Mostrato in { $source } (sostituto per { $locale }).
campaign-length = { $length ->
    [one] { $length } carattere
   *[other] { $length } caratteri
}
campaign-length-of = { $length } caratteri su { $limit }
campaign-too-long = troppo lungo
campaign-no-previews = Nessun testo da visualizzare in anteprima.

## Pianificazione

title-schedule = Pianificazione: { $campaign }
schedule-caption = Versioni approvate e successive, e che cosa si può fare con ciascuna
schedule-col-version = Versione
schedule-col-state = Stato
schedule-col-actions = Azioni
schedule-shown-below = (mostrata sotto)
schedule-schedule = Pianifica
schedule-pause = Metti in pausa
schedule-resume = Riprendi
schedule-cancel = Annulla la versione
schedule-none-approved = Nessuna versione è ancora approvata: niente da pianificare.
schedule-upcoming = Prossimi invii
schedule-upcoming-of = Prossimi invii della versione
schedule-from = Dal { $now }. Gli orari sono indicati in UTC e nell’ora locale del pubblico.
schedule-upcoming-caption = { $total ->
    [one] Un invio in programma
   *[other] { $total } invii in programma
}
schedule-upcoming-more = (sono elencati i primi 50; altri { $more })
schedule-col-utc = UTC
schedule-col-local = Ora locale del pubblico
schedule-col-zone = Fuso orario
schedule-col-segment = Segmento
schedule-col-send = Invio
schedule-col-channels = Canali
schedule-no-upcoming = Nessun invio in programma.

## Spedizione

title-dispatch = Spedizione: { $campaign }
dispatch-killed = Arresto di emergenza attivo: tutti gli invii in attesa di questa campagna sono fermati.
dispatch-outbox = Posta in uscita
dispatch-outbox-of = Posta in uscita della versione
dispatch-as-of = Situazione al { $now }.
dispatch-caption = Lavori per canale e stato
dispatch-col-channel = Canale
dispatch-col-queued = in coda
dispatch-col-sending = in invio
dispatch-col-sent = inviati
dispatch-col-dead = falliti (definitivo)
dispatch-col-unknown = sconosciuti
dispatch-col-cancelled = annullati
dispatch-col-other = altri
dispatch-waiting = non pronto: in attesa di { $accounts } (i suoi lavori restano in coda)
dispatch-no-jobs = Ancora nessun lavoro.
dispatch-pause-rule = Una versione in pausa non invia più nulla una volta partito il lotto già in corso (al massimo 20 secondi di invii cadenzati). Ciò che scade durante la pausa viene saltato, non inviato in ritardo alla ripresa: i suoi messaggi risultano annullati e la pianificazione prosegue dal successivo orario di invio.
dispatch-kill-heading = Arresto di emergenza
dispatch-kill-intro = Ferma ogni invio e ogni nuovo tentativo in attesa di questa campagna, ora e in seguito. Da usare quando qualcosa non va e non può aspettare.
dispatch-kill-confirm = Sono consapevole che questo ferma tutti gli invii in attesa di questa campagna
dispatch-kill = Ferma tutti gli invii
dispatch-schedulers-only = Solo chi ha il ruolo di pianificatore mette in pausa, riprende o ferma gli invii.

## Rapporto

title-report = Rapporto di copertura: { $campaign }
report-period = Periodo
report-breakdown = Suddivisione
report-from = Dal
report-until = Al
report-compare = Confronta con
report-compare-placeholder = identificativi delle campagne, separati da virgole
report-show = Mostra
report-choices-note = Si possono scegliere solo i periodi e le suddivisioni che la politica di pubblicazione dell’installazione pubblica; le date selezionano settimane o giorni interi (con periodo settimana o giorno).
report-downloads = Download:
report-settled-weeks = Sono mostrate le settimane consolidate: l’intera campagna viene pubblicata quando è terminata e il suo ultimo giorno è consolidato, dal { $from }.
report-in-english = Il rapporto stesso è scritto in inglese, così come lo scrive «herald report».

## Invii falliti ed esiti sconosciuti

title-dead-letters = Invii falliti
dead-intro = Lavori falliti definitivamente: il partner li ha rifiutati, oppure tutti i tentativi sono stati usati. Legga prima la risposta del partner: ritentare un messaggio che il partner rifiuta definitivamente (una chat sbagliata, un modello bloccato) fallisce di nuovo.
dead-retry-note = Un nuovo tentativo rimette il lavoro in coda, con scadenza immediata e un nuovo conteggio dei tentativi. Conserva la sua chiave di idempotenza, così un partner che elimina i duplicati scarta la ripetizione, e la sua indicazione «potrebbe essere arrivato due volte», se presente.
dead-caption = Invii falliti, lavori da { $first } a { $last } (dal più vecchio)
jobs-col-job = Lavoro
jobs-col-campaign = Campagna
jobs-col-target = Invio, segmento, lingua
jobs-col-channel = Canale
jobs-col-slot = Fascia
dead-col-attempts = Tentativi
dead-col-partner = Risposta del partner
dead-col-failed = Fallito
dead-col-action = Azione
dead-may-repeat = potrebbe essere arrivato due volte: { $why }
dead-retry = Riprova
jobs-next = Successivi { $limit }
dead-none = Nessun invio fallito.
dead-none-after = Nessun invio fallito dopo il lavoro { $after }.
dead-schedulers-only = Solo chi ha il ruolo di pianificatore ritenta gli invii falliti.
title-unknown-outcomes = Esiti sconosciuti
unknown-intro = Invii la cui risposta non è mai arrivata (tempo scaduto, connessione interrotta, processo fermato a metà invio) presso un partner che non sa riconoscere una ripetizione. herald non li reinvia mai da solo: la persona potrebbe avere già il messaggio. Verifichi ciascuno con il partner (il suo post o il registro di consegna), poi indichi che cosa ha trovato.
unknown-counting-rule = «Consegnato» conta il messaggio come inviato, e «non consegnato» come fallito, nel giorno in cui lo risolve, mai nel giorno in cui la risposta è andata persa: un rapporto pubblica un giorno solo quando è consolidato, quindi nessun dato già pubblicato cambia. Ogni lavoro si risolve una volta sola; vale la prima risoluzione.
unknown-caption = Esiti sconosciuti, lavori da { $first } a { $last } (dal più vecchio)
unknown-col-what = Che cosa è successo
unknown-col-since = Da
unknown-col-resolve = Risolvi
unknown-partner-says = Secondo il partner il messaggio è stato
unknown-delivered = consegnato
unknown-not-delivered = non consegnato
unknown-resend = Non consegnato: invialo di nuovo
unknown-confirm-resend = Ho verificato con il partner: la persona non lo ha, e potrebbe riceverlo due volte se il partner si è sbagliato
unknown-resolve = Risolvi
unknown-none = Nessun esito sconosciuto.
unknown-none-after = Nessun esito sconosciuto dopo il lavoro { $after }.
unknown-schedulers-only = Solo chi ha il ruolo di pianificatore risolve gli esiti sconosciuti.
title-resolved = Esito sconosciuto risolto
resolved-as = Il lavoro { $id } di { $campaign } è risolto come «{ $resolution }» da { $by } il { $at }.
resolution-delivered = consegnato
resolution-not-delivered = non consegnato
resolution-not-delivered-resent = non consegnato, inviato di nuovo
resolved-resent = È di nuovo in coda e ripartirà a breve; il suo esito sarà contato quando verrà inviato.
resolved-counted-sent = È contato come inviato il { $day }.
resolved-counted-failed = È contato come fallito il { $day }.
resolved-back = Torna agli esiti sconosciuti

## Iscritti

title-subscribers = Iscritti
subscribers-intro = Quante persone seguono ciascun canale di messaggistica, per segmento e lingua. I conteggi inferiori a k sono nascosti, e se serve anche un secondo conteggio, affinché nessun conteggio nascosto si possa ricavare dai totali: le stesse tabelle di «herald subscribers stats».
subscribers-k = Nascondi i conteggi inferiori a
subscribers-show = Mostra
subscribers-none = Nessun iscritto.

## Utenti

title-users = Utenti
users-intro = Chi può usare herald, e con quali ruoli. Il segreto di un token viene mostrato una sola volta, quando l’utente viene aggiunto, e mai più: herald ne conserva solo l’hash. Revocare un utente ne termina subito l’accesso, tramite API e nel browser.
users-caption = Utenti
users-col-name = Nome
users-col-roles = Ruoli
users-col-added = Aggiunto
users-col-tokens = Token attivi
users-col-sessions = Sessioni web
users-col-access = Accesso
users-expires = scade il { $at }
users-active-you = attivo (Lei)
users-revoke = Revoca
users-revoked = revocato
users-add-heading = Aggiungi un utente
users-name = Nome
users-roles = Ruoli
users-add = Aggiungi utente
title-user-added = Utente aggiunto
user-added = { $name } è stato aggiunto con i ruoli { $roles }.
user-added-token = Il suo token API è qui sotto. Lo copi ora e lo consegni tramite un canale sicuro: viene mostrato solo questa volta, e herald ne conserva solo l’hash.
user-added-back = Torna agli utenti

## Notifiche

title-notifications = Notifiche
notifications-intro = Di che cosa La informa herald, e come. Le notifiche contengono solo campagna, versione, account, conteggi e orari: mai nulla sulle persone raggiunte da una campagna. Gli eventi sono raccolti in un messaggio per intervallo di riepilogo; un arresto di emergenza o un guasto di un partner viene inviato subito.
notifications-about = Avvisami di
notifications-nothing-for-roles = I Suoi ruoli non ricevono notifiche: chi approva viene informato degli invii per approvazione, chi pianifica della consegna.
notifications-by = Tramite
notifications-email = e-mail
notifications-webhook = la chat del personale
notifications-none = nessun mezzo
notifications-address = Indirizzo e-mail
notifications-save = Salva
kind-version-submitted = una versione inviata per approvazione
kind-dead-letters = invii falliti
kind-unknown-outcomes = esiti sconosciuti
kind-template-blocked = un modello di messaggio bloccato da un partner
kind-partner-outage = un guasto di un partner
kind-kill-switch = l’uso dell’arresto di emergenza

## Le mie impostazioni

title-settings = Le mie impostazioni
settings-intro = La lingua in cui vengono mostrate le pagine di herald. «Come chiede il mio browser» segue le lingue inviate dal browser, e l’inglese se herald non ne ha nessuna.
settings-language = Lingua
settings-language-browser = Come chiede il mio browser
settings-save = Salva
settings-saved = Le impostazioni sono state salvate.
settings-draft-note = Le traduzioni diverse dall’inglese sono bozze automatiche che devono ancora essere riviste da un madrelingua.

## Translation status in the completeness matrix
string-status-missing = mancante
string-status-draft = bozza
string-status-translated = tradotto
string-status-reviewed = rivisto
string-export-missing = esporta i testi mancanti
string-status-source = origine
campaign-translate-with-tools = Traducete con i vostri strumenti:
