### herald web interface — French (fr)
### status: draft
### Machine draft: a native French speaker should review the wording, in particular the terms for campaign states, "dead letters" and "kill switch".

language-name = Français

## Dates et heures

date = { $day } { $month } { $year }
datetime-utc = { $day } { $month } { $year }, { $time } UTC
datetime-local = { $weekday } { $day } { $month } { $year }, { $time } (UTC{ $offset })
month-1 = janv.
month-2 = févr.
month-3 = mars
month-4 = avr.
month-5 = mai
month-6 = juin
month-7 = juil.
month-8 = août
month-9 = sept.
month-10 = oct.
month-11 = nov.
month-12 = déc.
weekday-1 = lun.
weekday-2 = mar.
weekday-3 = mer.
weekday-4 = jeu.
weekday-5 = ven.
weekday-6 = sam.
weekday-7 = dim.

## Mise en page et navigation

layout-skip = Aller au contenu
layout-main-nav = Principale
layout-signed-in-as = Connecté en tant que { $user } ({ $roles })
layout-sign-out = Se déconnecter
nav-campaigns = Campagnes
nav-dead-letters = Envois en échec
nav-unknown-outcomes = Résultats inconnus
nav-subscribers = Abonnés
nav-users = Utilisateurs
nav-notifications = Notifications
nav-settings = Mes paramètres
render-failed = La page n’a pas pu être affichée ; voir le journal du serveur.

## États des versions

state-draft = brouillon
state-submitted = soumise
state-approved = approuvée
state-rejected = rejetée
state-scheduled = planifiée
state-running = en cours
state-paused = en pause
state-completed = terminée
state-cancelled = annulée

## Connexion

title-sign-in = Connexion
login-intro = Connectez-vous avec votre jeton d’API herald (id.secret, obtenu avec « herald user add »). Le jeton est échangé contre une session et n’est pas conservé dans votre navigateur.
login-token = Jeton d’API
login-submit = Se connecter
login-unknown-token = Ce jeton est inconnu, mal formé, révoqué ou expiré.
login-too-many = Trop de connexions échouées depuis cette adresse : attendez une minute et réessayez.

## Erreurs

error-heading-forbidden = Non autorisé
error-heading-not-found = Introuvable
error-heading-conflict = Impossible pour le moment
error-heading-too-many = Trop de tentatives
error-heading-server = Une erreur s’est produite
error-heading-other = Action impossible
error-status = HTTP { $status }
error-back = Retour aux campagnes
error-server-said = Le serveur a répondu :
error-sign-in-first = Connectez-vous d’abord.
error-needs-roles = Cette page exige l’un des rôles : { $allowed }. Vos rôles : { $roles }.
error-form-too-large = Le formulaire est trop volumineux.
error-csrf = Ce formulaire est périmé ou ne provient pas de herald (jeton CSRF absent ou erroné). Rechargez la page et réessayez.
error-session-ended = Votre session a pris fin ; reconnectez-vous.
error-foreign-form = Ce formulaire ne provient pas de herald.
error-no-campaign = Cette campagne n’existe pas.
error-unloadable = Cette version ne peut pas être chargée avec la configuration du serveur ; voir le journal du serveur.
error-kill-unconfirmed = Rien n’a été arrêté : cochez « Je comprends que cela arrête tous les envois en attente de cette campagne » pour utiliser l’arrêt d’urgence.
error-unknown-language = L’interface n’existe pas dans cette langue.
api-error-own-version = Vous êtes l’auteur de cette version : un autre approbateur doit l’approuver ou la rejeter (principe des quatre yeux).
api-error-illegal-transition = Cette version ne peut pas passer à cet état depuis son état actuel.
api-error-own-access = Vous ne pouvez pas révoquer votre propre accès.
api-error-user-exists = Un utilisateur portant ce nom existe déjà.
api-error-storage-full = Le stockage du serveur est plein ; rien n’a été modifié. Prévenez l’équipe d’exploitation.

## Campagnes

title-campaigns = Campagnes
campaigns-caption = Toutes les campagnes, leurs versions (la plus récente d’abord) et leur prochain envoi
campaigns-col-campaign = Campagne
campaigns-col-versions = Versions
campaigns-col-next-send = Prochain envoi
campaigns-col-pages = Pages
campaigns-none-planned = aucun prévu
campaigns-empty = Aucune campagne n’a encore été déposée.
tab-review = Relecture
tab-schedule = Planification
tab-dispatch = Expédition
tab-report = Rapport
tabs-label = Pages de la campagne

## Une campagne

title-campaign = Campagne { $campaign }
campaign-versions = Versions
campaign-version = Version
campaign-uploaded = Déposée le { $created } ; dernière modification le { $updated }.
campaign-written-by = Rédigée par :
campaign-author-unknown = inconnu
campaign-show-texts = Afficher les textes de cette version
campaign-submit = Soumettre pour approbation
campaign-note = Note (facultative)
campaign-approve = Approuver
campaign-reject = Rejeter
campaign-why-not-role = Approuver ou rejeter exige le rôle d’approbateur.
campaign-why-not-author = Vous êtes l’auteur de cette version : un autre approbateur doit l’approuver ou la rejeter (principe des quatre yeux).
campaign-translations-of = Traductions de la version
campaign-drafts = Traductions en brouillon (à relire) :
campaign-missing = { $missing ->
    [one] Un texte manque : cette version ne peut pas être envoyée.
   *[other] { $missing } textes manquent : cette version ne peut pas être envoyée.
}
campaign-complete = Chaque texte atteint chaque langue du public.
campaign-matrix-caption = Complétude : d’où vient chaque texte, par langue du public
campaign-matrix-text = Texte
cell-translated = traduit
cell-falls-back = repli sur { $from }
cell-missing = manquant
campaign-previews = Ce que reçoit chaque public
campaign-variant = variante { $variant }
campaign-fallback-note = Affiché en { $source } (repli pour { $locale }).
campaign-length = { $length ->
    [one] { $length } caractère
   *[other] { $length } caractères
}
campaign-length-of = { $length } caractères sur { $limit }
campaign-too-long = trop long
campaign-no-previews = Aucun texte à prévisualiser.

## Planification

title-schedule = Planification : { $campaign }
schedule-caption = Versions approuvées et suivantes, et ce qu’on peut faire de chacune
schedule-col-version = Version
schedule-col-state = État
schedule-col-actions = Actions
schedule-shown-below = (affichée ci-dessous)
schedule-schedule = Planifier
schedule-pause = Mettre en pause
schedule-resume = Reprendre
schedule-cancel = Annuler la version
schedule-none-approved = Aucune version n’est encore approuvée : rien à planifier.
schedule-upcoming = Prochains envois
schedule-upcoming-of = Prochains envois de la version
schedule-from = À partir du { $now }. Les heures sont données en UTC et dans l’heure locale du public.
schedule-upcoming-caption = { $total ->
    [one] Un envoi à venir
   *[other] { $total } envois à venir
}
schedule-upcoming-more = (les 50 premiers sont listés ; { $more } de plus)
schedule-col-utc = UTC
schedule-col-local = Heure locale du public
schedule-col-zone = Fuseau horaire
schedule-col-segment = Segment
schedule-col-send = Envoi
schedule-col-channels = Canaux
schedule-no-upcoming = Aucun envoi à venir.

## Expédition

title-dispatch = Expédition : { $campaign }
dispatch-killed = Arrêt d’urgence activé : tous les envois en attente de cette campagne sont stoppés.
dispatch-outbox = File d’envoi
dispatch-outbox-of = File d’envoi de la version
dispatch-as-of = Au { $now }.
dispatch-caption = Envois par canal et par statut
dispatch-col-channel = Canal
dispatch-col-queued = en attente
dispatch-col-sending = en cours d’envoi
dispatch-col-sent = envoyés
dispatch-col-dead = en échec (définitif)
dispatch-col-unknown = inconnus
dispatch-col-cancelled = annulés
dispatch-col-other = autres
dispatch-waiting = pas prêt : en attente de { $accounts } (ses envois restent en file)
dispatch-no-jobs = Aucun envoi pour l’instant.
dispatch-pause-rule = Une version en pause n’envoie plus rien dès que le lot déjà en route est parti (au plus 20 secondes d’envois cadencés). Ce qui arrive à échéance pendant la pause est sauté, et non envoyé en retard à la reprise : ses messages apparaissent comme annulés, et le calendrier reprend à l’envoi suivant.
dispatch-kill-heading = Arrêt d’urgence
dispatch-kill-intro = Arrête tous les envois et nouvelles tentatives en attente de cette campagne, maintenant et plus tard. À utiliser quand quelque chose ne va pas et ne peut pas attendre.
dispatch-kill-confirm = Je comprends que cela arrête tous les envois en attente de cette campagne
dispatch-kill = Arrêter tous les envois
dispatch-schedulers-only = Seuls les planificateurs mettent en pause, reprennent ou arrêtent les envois.

## Rapport

title-report = Rapport de portée : { $campaign }
report-period = Période
report-breakdown = Ventilation
report-from = Du
report-until = Au
report-compare = Comparer avec
report-compare-placeholder = identifiants de campagne, séparés par des virgules
report-show = Afficher
report-choices-note = Seules les périodes et ventilations publiées par la politique de publication du déploiement peuvent être choisies ; les dates sélectionnent des semaines ou des jours entiers (avec la période semaine ou jour).
report-downloads = Téléchargements :
report-settled-weeks = Affichage des semaines consolidées : la campagne entière est publiée une fois terminée et son dernier jour consolidé, à partir du { $from }.
report-in-english = Le rapport lui-même est rédigé en anglais, tel que « herald report » l’écrit.

## Envois en échec et résultats inconnus

title-dead-letters = Envois en échec
dead-intro = Envois définitivement en échec : le partenaire les a refusés, ou toutes les tentatives ont été utilisées. Lisez d’abord la réponse du partenaire : renvoyer un message que le partenaire refuse définitivement (mauvaise conversation, modèle bloqué) échouera de nouveau.
dead-retry-note = Un nouvel essai remet l’envoi dans la file, à échéance immédiate, avec un nouveau compteur de tentatives. Il garde sa clé d’idempotence, de sorte qu’un partenaire qui déduplique ignore la répétition, ainsi que sa mention « a pu arriver deux fois » s’il en a une.
dead-caption = Envois en échec, n° { $first } à { $last } (le plus ancien d’abord)
jobs-col-job = Envoi
jobs-col-campaign = Campagne
jobs-col-target = Envoi, segment, langue
jobs-col-channel = Canal
jobs-col-slot = Créneau
dead-col-attempts = Tentatives
dead-col-partner = Réponse du partenaire
dead-col-failed = Échec
dead-col-action = Action
dead-may-repeat = a pu arriver deux fois : { $why }
dead-retry = Réessayer
jobs-next = { $limit } suivants
dead-none = Aucun envoi en échec.
dead-none-after = Aucun envoi en échec après le n° { $after }.
dead-schedulers-only = Seuls les planificateurs relancent les envois en échec.
title-unknown-outcomes = Résultats inconnus
unknown-intro = Envois dont la réponse n’est jamais arrivée (délai dépassé, connexion coupée, processus arrêté en plein envoi) chez un partenaire qui ne sait pas reconnaître une répétition. herald ne les renvoie jamais de lui-même : la personne a peut-être déjà le message. Vérifiez chacun auprès du partenaire (sa publication ou son journal de distribution), puis indiquez ce que vous avez constaté.
unknown-counting-rule = « Distribué » compte le message comme envoyé, et « non distribué » comme en échec, le jour où vous le résolvez, jamais le jour où la réponse a été perdue : un rapport ne publie un jour qu’une fois consolidé, donc aucun chiffre déjà publié ne bouge. Chaque envoi est résolu une seule fois ; la première résolution est conservée.
unknown-caption = Résultats inconnus, n° { $first } à { $last } (le plus ancien d’abord)
unknown-col-what = Ce qui s’est passé
unknown-col-since = Depuis
unknown-col-resolve = Résoudre
unknown-partner-says = Selon le partenaire, le message a été
unknown-delivered = distribué
unknown-not-delivered = non distribué
unknown-resend = Non distribué : l’envoyer de nouveau
unknown-confirm-resend = J’ai vérifié auprès du partenaire : la personne ne l’a pas reçu, et pourrait le recevoir deux fois si le partenaire s’est trompé
unknown-resolve = Résoudre
unknown-none = Aucun résultat inconnu.
unknown-none-after = Aucun résultat inconnu après le n° { $after }.
unknown-schedulers-only = Seuls les planificateurs résolvent les résultats inconnus.
title-resolved = Résultat inconnu résolu
resolved-as = L’envoi { $id } de { $campaign } est résolu comme « { $resolution } » par { $by } le { $at }.
resolution-delivered = distribué
resolution-not-delivered = non distribué
resolution-not-delivered-resent = non distribué, renvoyé
resolved-resent = Il est de retour dans la file et repart sous peu ; son propre résultat sera compté à son envoi.
resolved-counted-sent = Il est compté comme envoyé le { $day }.
resolved-counted-failed = Il est compté comme en échec le { $day }.
resolved-back = Retour aux résultats inconnus

## Abonnés

title-subscribers = Abonnés
subscribers-intro = Combien de personnes suivent chaque canal de messagerie, par segment et par langue. Les effectifs inférieurs à k sont masqués, ainsi qu’un second si nécessaire, pour qu’aucun effectif masqué ne puisse être déduit des totaux : les mêmes tableaux que « herald subscribers stats ».
subscribers-k = Masquer les effectifs inférieurs à
subscribers-show = Afficher
subscribers-none = Aucun abonné.

## Utilisateurs

title-users = Utilisateurs
users-intro = Qui peut utiliser herald, avec quels rôles. Le secret d’un jeton est affiché une seule fois, à l’ajout de l’utilisateur, et plus jamais : herald n’en garde que l’empreinte. Révoquer un utilisateur met fin immédiatement à son accès, par l’API comme dans le navigateur.
users-caption = Utilisateurs
users-col-name = Nom
users-col-roles = Rôles
users-col-added = Ajouté
users-col-tokens = Jetons actifs
users-col-sessions = Sessions web
users-col-access = Accès
users-expires = expire le { $at }
users-active-you = actif (vous)
users-revoke = Révoquer
users-revoked = révoqué
users-add-heading = Ajouter un utilisateur
users-name = Nom
users-roles = Rôles
users-add = Ajouter l’utilisateur
title-user-added = Utilisateur ajouté
user-added = { $name } a été ajouté avec les rôles { $roles }.
user-added-token = Son jeton d’API figure ci-dessous. Copiez-le maintenant et transmettez-le par un canal sûr : il n’est affiché qu’une fois, et herald n’en garde que l’empreinte.
user-added-back = Retour aux utilisateurs

## Notifications

title-notifications = Notifications
notifications-intro = Ce dont herald vous informe, et comment. Les notifications ne contiennent que campagne, version, compte, effectifs et horaires : jamais rien sur les personnes qu’une campagne atteint. Les événements sont regroupés en un message par intervalle de synthèse ; un arrêt d’urgence ou une panne d’un partenaire part immédiatement.
notifications-about = Me prévenir de
notifications-nothing-for-roles = Vos rôles ne reçoivent aucune notification : les approbateurs sont informés des soumissions, les planificateurs de la distribution.
notifications-by = Par
notifications-email = courriel
notifications-webhook = la messagerie de l’équipe
notifications-none = rien
notifications-address = Adresse électronique
notifications-save = Enregistrer
kind-version-submitted = une version soumise pour approbation
kind-dead-letters = des envois en échec
kind-unknown-outcomes = des résultats inconnus
kind-template-blocked = un modèle de message bloqué par un partenaire
kind-partner-outage = une panne d’un partenaire
kind-kill-switch = l’utilisation de l’arrêt d’urgence

## Mes paramètres

title-settings = Mes paramètres
settings-intro = La langue dans laquelle les pages de herald s’affichent. « Selon mon navigateur » suit les langues envoyées par votre navigateur, et l’anglais si herald n’en propose aucune.
settings-language = Langue
settings-language-browser = Selon mon navigateur
settings-save = Enregistrer
settings-saved = Vos paramètres sont enregistrés.
settings-draft-note = Les traductions autres que l’anglais sont des ébauches automatiques qui doivent encore être relues par un locuteur natif.

## Translation status in the completeness matrix
string-status-missing = manquant
string-status-draft = brouillon
string-status-translated = traduit
string-status-reviewed = relu
string-export-missing = exporter les textes manquants
string-status-source = source
campaign-translate-with-tools = Traduire avec vos outils :
