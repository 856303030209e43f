### herald web interface — Spanish (es)
### status: draft
### Machine draft: a native Spanish speaker should review the wording, in particular the terms for campaign states, "dead letters" and "kill switch", and the formal address (usted).

language-name = Español

## Fechas y horas

date = { $day } { $month } { $year }
datetime-utc = { $day } { $month } { $year }, { $time } UTC
datetime-local = { $weekday } { $day } { $month } { $year }, { $time } (UTC{ $offset })
month-1 = ene
month-2 = feb
month-3 = mar
month-4 = abr
month-5 = may
month-6 = jun
month-7 = jul
month-8 = ago
month-9 = sept
month-10 = oct
month-11 = nov
month-12 = dic
weekday-1 = lun
weekday-2 = mar
weekday-3 = mié
weekday-4 = jue
weekday-5 = vie
weekday-6 = sáb
weekday-7 = dom

## Estructura y navegación

layout-skip = Ir al contenido
layout-main-nav = Principal
layout-signed-in-as = Sesión iniciada como { $user } ({ $roles })
layout-sign-out = Cerrar sesión
nav-campaigns = Campañas
nav-dead-letters = Envíos fallidos
nav-unknown-outcomes = Resultados desconocidos
nav-subscribers = Suscriptores
nav-users = Usuarios
nav-notifications = Notificaciones
nav-settings = Mi configuración
render-failed = No se pudo mostrar la página; consulte el registro del servidor.

## Estados de las versiones

state-draft = borrador
state-submitted = enviada a aprobación
state-approved = aprobada
state-rejected = rechazada
state-scheduled = programada
state-running = en curso
state-paused = en pausa
state-completed = completada
state-cancelled = cancelada

## Inicio de sesión

title-sign-in = Iniciar sesión
login-intro = Inicie sesión con su token de API de herald (id.secret, obtenido con «herald user add»). El token se cambia por una sesión y no se guarda en su navegador.
login-token = Token de API
login-submit = Iniciar sesión
login-unknown-token = Ese token es desconocido, está mal formado, revocado o caducado.
login-too-many = Demasiados inicios de sesión fallidos desde esta dirección: espere un minuto y vuelva a intentarlo.

## Errores

error-heading-forbidden = No permitido
error-heading-not-found = No encontrado
error-heading-conflict = No es posible ahora
error-heading-too-many = Demasiados intentos
error-heading-server = Algo ha fallado
error-heading-other = No se puede hacer
error-status = HTTP { $status }
error-back = Volver a las campañas
error-server-said = El servidor respondió:
error-sign-in-first = Inicie sesión primero.
error-needs-roles = Esta página requiere uno de los roles: { $allowed }. Sus roles: { $roles }.
error-form-too-large = El formulario es demasiado grande.
error-csrf = Este formulario está caducado o no procede de herald (falta el token CSRF o es incorrecto). Vuelva a cargar la página e inténtelo de nuevo.
error-session-ended = Su sesión ha terminado; vuelva a iniciar sesión.
error-foreign-form = Este formulario no procede de herald.
error-no-campaign = Esa campaña no existe.
error-unloadable = Esta versión no se puede cargar con la configuración del servidor; consulte el registro del servidor.
error-kill-unconfirmed = No se ha detenido nada: marque «Entiendo que esto detiene todos los envíos pendientes de esta campaña» para usar el botón de parada de emergencia.
error-unknown-language = La interfaz no tiene ese idioma.
api-error-own-version = Usted es autor de esta versión, así que otra persona aprobadora debe aprobarla o rechazarla (principio de los cuatro ojos).
api-error-illegal-transition = Esta versión no puede pasar a ese estado desde su estado actual.
api-error-own-access = No puede revocar su propio acceso.
api-error-user-exists = Ya existe un usuario con ese nombre.
api-error-storage-full = El almacenamiento del servidor está lleno; no se ha cambiado nada. Avise al equipo de operaciones.

## Campañas

title-campaigns = Campañas
campaigns-caption = Todas las campañas, sus versiones (la más reciente primero) y su próximo envío
campaigns-col-campaign = Campaña
campaigns-col-versions = Versiones
campaigns-col-next-send = Próximo envío
campaigns-col-pages = Páginas
campaigns-none-planned = ninguno previsto
campaigns-empty = Todavía no se ha subido ninguna campaña.
tab-review = Revisión
tab-schedule = Programación
tab-dispatch = Despacho
tab-report = Informe
tabs-label = Páginas de la campaña

## Una campaña

title-campaign = Campaña { $campaign }
campaign-versions = Versiones
campaign-version = Versión
campaign-uploaded = Subida el { $created }; último cambio el { $updated }.
campaign-written-by = Redactada por:
campaign-author-unknown = desconocido
campaign-show-texts = Mostrar los textos de esta versión
campaign-submit = Enviar a aprobación
campaign-note = Nota (opcional)
campaign-approve = Aprobar
campaign-reject = Rechazar
campaign-why-not-role = Aprobar o rechazar requiere el rol de aprobador.
campaign-why-not-author = Usted es autor de esta versión, así que otra persona aprobadora debe aprobarla o rechazarla (principio de los cuatro ojos).
campaign-translations-of = Traducciones de la versión
campaign-drafts = Traducciones en borrador (pendientes de revisión):
campaign-missing = { $missing ->
    [one] Falta un texto: esta versión no se puede enviar.
   *[other] Faltan { $missing } textos: esta versión no se puede enviar.
}
campaign-complete = Cada texto llega a cada idioma del público.
campaign-matrix-caption = Completitud: de dónde procede cada texto, por idioma del público
campaign-matrix-text = Texto
cell-translated = traducido
cell-falls-back = se usa { $from }
cell-missing = falta
campaign-previews = Lo que recibe cada público
campaign-variant = variante { $variant }
campaign-fallback-note = Se muestra en { $source } (sustituto de { $locale }).
campaign-length = { $length ->
    [one] { $length } carácter
   *[other] { $length } caracteres
}
campaign-length-of = { $length } de { $limit } caracteres
campaign-too-long = demasiado largo
campaign-no-previews = No hay texto que previsualizar.

## Programación

title-schedule = Programación: { $campaign }
schedule-caption = Versiones aprobadas y posteriores, y lo que se puede hacer con cada una
schedule-col-version = Versión
schedule-col-state = Estado
schedule-col-actions = Acciones
schedule-shown-below = (se muestra abajo)
schedule-schedule = Programar
schedule-pause = Pausar
schedule-resume = Reanudar
schedule-cancel = Cancelar la versión
schedule-none-approved = Todavía no hay ninguna versión aprobada: nada que programar.
schedule-upcoming = Próximos envíos
schedule-upcoming-of = Próximos envíos de la versión
schedule-from = A partir del { $now }. Las horas se muestran en UTC y en la hora local del público.
schedule-upcoming-caption = { $total ->
    [one] Un envío próximo
   *[other] { $total } envíos próximos
}
schedule-upcoming-more = (se muestran los 50 primeros; { $more } más)
schedule-col-utc = UTC
schedule-col-local = Hora local del público
schedule-col-zone = Zona horaria
schedule-col-segment = Segmento
schedule-col-send = Envío
schedule-col-channels = Canales
schedule-no-upcoming = No hay envíos próximos.

## Despacho

title-dispatch = Despacho: { $campaign }
dispatch-killed = Parada de emergencia activada: se han detenido todos los envíos pendientes de esta campaña.
dispatch-outbox = Bandeja de salida
dispatch-outbox-of = Bandeja de salida de la versión
dispatch-as-of = A fecha de { $now }.
dispatch-caption = Trabajos por canal y estado
dispatch-col-channel = Canal
dispatch-col-queued = en cola
dispatch-col-sending = enviándose
dispatch-col-sent = enviados
dispatch-col-dead = fallidos (definitivo)
dispatch-col-unknown = desconocidos
dispatch-col-cancelled = cancelados
dispatch-col-other = otros
dispatch-waiting = no está listo: espera a { $accounts } (sus trabajos siguen en cola)
dispatch-no-jobs = Todavía no hay trabajos.
dispatch-pause-rule = Una versión en pausa deja de enviar en cuanto sale el lote que ya está en camino (como máximo 20 segundos de envíos escalonados). Lo que vence durante la pausa se omite, no se envía con retraso al reanudar: sus mensajes aparecen como cancelados y la programación continúa en la siguiente hora de envío.
dispatch-kill-heading = Parada de emergencia
dispatch-kill-intro = Detiene todos los envíos y reintentos pendientes de esta campaña, ahora y en adelante. Úsela cuando algo va mal y no puede esperar.
dispatch-kill-confirm = Entiendo que esto detiene todos los envíos pendientes de esta campaña
dispatch-kill = Detener todos los envíos
dispatch-schedulers-only = Solo quienes tienen el rol de programador pausan, reanudan o detienen envíos.

## Informe

title-report = Informe de alcance: { $campaign }
report-period = Periodo
report-breakdown = Desglose
report-from = Desde
report-until = Hasta
report-compare = Comparar con
report-compare-placeholder = identificadores de campaña, separados por comas
report-show = Mostrar
report-choices-note = Solo se pueden elegir los periodos y desgloses que publica la política de publicación de la instalación; las fechas seleccionan semanas o días completos (con periodo semana o día).
report-downloads = Descargas:
report-settled-weeks = Se muestran las semanas consolidadas: la campaña completa se publica cuando ha terminado y su último día se ha consolidado, a partir del { $from }.
report-in-english = El informe en sí está redactado en inglés, tal como lo escribe «herald report».

## Envíos fallidos y resultados desconocidos

title-dead-letters = Envíos fallidos
dead-intro = Trabajos que fallaron definitivamente: el socio los rechazó o se agotaron los intentos. Lea primero la respuesta del socio: reintentar un mensaje que el socio rechaza de forma definitiva (un chat equivocado, una plantilla bloqueada) vuelve a fallar.
dead-retry-note = Un reintento devuelve el trabajo a la cola, con vencimiento inmediato y un nuevo contador de intentos. Conserva su clave de idempotencia, de modo que un socio que elimina duplicados descarta la repetición, y su marca «puede haber llegado dos veces» si la tiene.
dead-caption = Envíos fallidos, trabajos { $first } a { $last } (el más antiguo primero)
jobs-col-job = Trabajo
jobs-col-campaign = Campaña
jobs-col-target = Envío, segmento, idioma
jobs-col-channel = Canal
jobs-col-slot = Franja
dead-col-attempts = Intentos
dead-col-partner = Respuesta del socio
dead-col-failed = Falló
dead-col-action = Acción
dead-may-repeat = puede haber llegado dos veces: { $why }
dead-retry = Reintentar
jobs-next = Siguientes { $limit }
dead-none = No hay envíos fallidos.
dead-none-after = No hay envíos fallidos después del trabajo { $after }.
dead-schedulers-only = Solo quienes tienen el rol de programador reintentan envíos fallidos.
title-unknown-outcomes = Resultados desconocidos
unknown-intro = Envíos cuya respuesta nunca llegó (tiempo agotado, conexión cortada, proceso detenido en pleno envío) a un socio que no sabe reconocer una repetición. herald nunca los reenvía por sí mismo: puede que la persona ya tenga el mensaje. Compruebe cada uno con el socio (su publicación o su registro de entregas) e indique lo que ha averiguado.
unknown-counting-rule = «Entregado» cuenta el mensaje como enviado, y «no entregado» como fallido, el día en que lo resuelve, nunca el día en que se perdió la respuesta: un informe solo publica un día cuando se ha consolidado, así que ninguna cifra ya publicada cambia. Cada trabajo se resuelve una vez; se mantiene la primera resolución.
unknown-caption = Resultados desconocidos, trabajos { $first } a { $last } (el más antiguo primero)
unknown-col-what = Qué pasó
unknown-col-since = Desde
unknown-col-resolve = Resolver
unknown-partner-says = Según el socio, el mensaje fue
unknown-delivered = entregado
unknown-not-delivered = no entregado
unknown-resend = No entregado: volver a enviarlo
unknown-confirm-resend = Lo he comprobado con el socio: la persona no lo tiene, y podría recibirlo dos veces si el socio se equivocó
unknown-resolve = Resolver
unknown-none = No hay resultados desconocidos.
unknown-none-after = No hay resultados desconocidos después del trabajo { $after }.
unknown-schedulers-only = Solo quienes tienen el rol de programador resuelven resultados desconocidos.
title-resolved = Resultado desconocido resuelto
resolved-as = El trabajo { $id } de { $campaign } queda resuelto como «{ $resolution }» por { $by } el { $at }.
resolution-delivered = entregado
resolution-not-delivered = no entregado
resolution-not-delivered-resent = no entregado, reenviado
resolved-resent = Vuelve a estar en la cola y saldrá en breve; su propio resultado se contará cuando se envíe.
resolved-counted-sent = Se cuenta como enviado el { $day }.
resolved-counted-failed = Se cuenta como fallido el { $day }.
resolved-back = Volver a los resultados desconocidos

## Suscriptores

title-subscribers = Suscriptores
subscribers-intro = Cuántas personas siguen cada canal de mensajería, por segmento e idioma. Los recuentos inferiores a k se ocultan, y cuando hace falta también un segundo recuento, para que ningún recuento oculto pueda deducirse de los totales: las mismas tablas que «herald subscribers stats».
subscribers-k = Ocultar recuentos inferiores a
subscribers-show = Mostrar
subscribers-none = No hay suscriptores.

## Usuarios

title-users = Usuarios
users-intro = Quién puede usar herald y con qué roles. El secreto de un token se muestra una vez, al añadir al usuario, y nunca más: herald solo guarda su hash. Revocar a un usuario termina su acceso de inmediato, en la API y en el navegador.
users-caption = Usuarios
users-col-name = Nombre
users-col-roles = Roles
users-col-added = Añadido
users-col-tokens = Tokens activos
users-col-sessions = Sesiones web
users-col-access = Acceso
users-expires = caduca el { $at }
users-active-you = activo (usted)
users-revoke = Revocar
users-revoked = revocado
users-add-heading = Añadir un usuario
users-name = Nombre
users-roles = Roles
users-add = Añadir usuario
title-user-added = Usuario añadido
user-added = Se ha añadido a { $name } con los roles { $roles }.
user-added-token = Su token de API aparece abajo. Cópielo ahora y entrégueselo por un canal seguro: solo se muestra esta vez, y herald solo guarda su hash.
user-added-back = Volver a los usuarios

## Notificaciones

title-notifications = Notificaciones
notifications-intro = De qué le informa herald y cómo. Las notificaciones solo contienen campaña, versión, cuenta, recuentos y horas: nunca nada sobre las personas a las que llega una campaña. Los eventos se agrupan en un mensaje por intervalo de resumen; una parada de emergencia o una caída de un socio se envía de inmediato.
notifications-about = Avisarme de
notifications-nothing-for-roles = Sus roles no reciben avisos: quienes aprueban se enteran de los envíos a aprobación, quienes programan de la entrega.
notifications-by = Por
notifications-email = correo electrónico
notifications-webhook = el chat del equipo
notifications-none = nada
notifications-address = Dirección de correo electrónico
notifications-save = Guardar
kind-version-submitted = una versión enviada a aprobación
kind-dead-letters = envíos fallidos
kind-unknown-outcomes = resultados desconocidos
kind-template-blocked = una plantilla de mensaje bloqueada por un socio
kind-partner-outage = una caída de un socio
kind-kill-switch = el uso de la parada de emergencia

## Mi configuración

title-settings = Mi configuración
settings-intro = El idioma en que se muestran las páginas de herald. «Según mi navegador» sigue los idiomas que envía su navegador, y el inglés cuando herald no tiene ninguno de ellos.
settings-language = Idioma
settings-language-browser = Según mi navegador
settings-save = Guardar
settings-saved = Su configuración se ha guardado.
settings-draft-note = Las traducciones distintas del inglés son borradores automáticos que aún debe revisar un hablante nativo.

## Translation status in the completeness matrix
string-status-missing = falta
string-status-draft = borrador
string-status-translated = traducido
string-status-reviewed = revisado
string-export-missing = exportar los textos que faltan
string-status-source = origen
campaign-translate-with-tools = Traduzca con sus herramientas:
