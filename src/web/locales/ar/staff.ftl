### herald web interface — Arabic (ar)
### status: draft
### Machine draft: a native Arabic speaker should review the Modern Standard Arabic wording, the plural forms (zero, one, two, few, many, other), the terms for campaign states, "dead letters" and "kill switch", and the choice of Arabic-Indic digits.

language-name = العربية

## التواريخ والأوقات

date = { $day } { $month } { $year }
datetime-utc = { $day } { $month } { $year }، { $time } UTC
# The offset is kept left to right as one unit ({"\u2066"} … {"\u2069"}: a left-to-right isolate).
datetime-local = { $weekday } { $day } { $month } { $year }، { $time } ({"\u2066"}UTC{ $offset }{"\u2069"})
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر
weekday-1 = الاثنين
weekday-2 = الثلاثاء
weekday-3 = الأربعاء
weekday-4 = الخميس
weekday-5 = الجمعة
weekday-6 = السبت
weekday-7 = الأحد

## الإطار والتنقل

layout-skip = انتقل إلى المحتوى
layout-main-nav = القائمة الرئيسية
layout-signed-in-as = مسجّل الدخول باسم { $user } ({ $roles })
layout-sign-out = تسجيل الخروج
nav-campaigns = الحملات
nav-dead-letters = الإرساليات الفاشلة
nav-unknown-outcomes = النتائج المجهولة
nav-subscribers = المشتركون
nav-users = المستخدمون
nav-notifications = الإشعارات
nav-settings = إعداداتي
render-failed = تعذّر عرض الصفحة؛ راجع سجلّ الخادم.

## حالات الإصدارات

state-draft = مسودة
state-submitted = مقدَّم للاعتماد
state-approved = معتمَد
state-rejected = مرفوض
state-scheduled = مجدوَل
state-running = قيد التنفيذ
state-paused = متوقّف مؤقتًا
state-completed = مكتمل
state-cancelled = ملغى

## تسجيل الدخول

title-sign-in = تسجيل الدخول
login-intro = سجّل الدخول باستخدام رمز herald الخاص بك للواجهة البرمجية (id.secret، من الأمر «herald user add»). يُستبدل الرمز بجلسة ولا يُحفظ في متصفحك.
login-token = رمز الواجهة البرمجية
login-submit = تسجيل الدخول
login-unknown-token = هذا الرمز غير معروف أو غير صالح الصيغة أو ملغى أو منتهي الصلاحية.
login-too-many = محاولات دخول فاشلة كثيرة من هذا العنوان: انتظر دقيقة ثم حاول مجددًا.

## الأخطاء

error-heading-forbidden = غير مسموح
error-heading-not-found = غير موجود
error-heading-conflict = غير ممكن الآن
error-heading-too-many = محاولات كثيرة جدًا
error-heading-server = حدث خطأ ما
error-heading-other = لا يمكن تنفيذ ذلك
error-status = HTTP { $status }
error-back = العودة إلى الحملات
error-server-said = ردّ الخادم:
error-sign-in-first = سجّل الدخول أولًا.
error-needs-roles = تتطلب هذه الصفحة أحد الأدوار: { $allowed }. أدوارك: { $roles }.
error-form-too-large = النموذج كبير جدًا.
error-csrf = هذا النموذج قديم أو لم يصدر عن herald (رمز CSRF مفقود أو خاطئ). أعد تحميل الصفحة وحاول مجددًا.
error-session-ended = انتهت جلستك؛ سجّل الدخول مجددًا.
error-foreign-form = هذا النموذج لم يصدر عن herald.
error-no-campaign = لا توجد حملة بهذا الاسم.
error-unloadable = لا يمكن تحميل هذا الإصدار بإعدادات الخادم؛ راجع سجلّ الخادم.
error-kill-unconfirmed = لم يُوقَف شيء: ضع علامة على «أدرك أن هذا يوقف كل الإرساليات المعلّقة لهذه الحملة» لاستخدام زر الإيقاف الطارئ.
error-unknown-language = الواجهة غير متوفرة بهذه اللغة.
api-error-own-version = أنت من كتب هذا الإصدار، لذا يجب أن يعتمده أو يرفضه معتمِد آخر (مبدأ الأعين الأربع).
api-error-illegal-transition = لا يمكن نقل هذا الإصدار إلى تلك الحالة من حالته الحالية.
api-error-own-access = لا يمكنك إلغاء وصولك أنت.
api-error-user-exists = يوجد مستخدم بهذا الاسم بالفعل.
api-error-storage-full = مساحة تخزين الخادم ممتلئة؛ لم يتغيّر شيء. أبلغ فريق التشغيل.

## الحملات

title-campaigns = الحملات
campaigns-caption = كل الحملات وإصداراتها (الأحدث أولًا) وإرساليتها التالية
campaigns-col-campaign = الحملة
campaigns-col-versions = الإصدارات
campaigns-col-next-send = الإرسالية التالية
campaigns-col-pages = الصفحات
campaigns-none-planned = لا شيء مخطط
campaigns-empty = لم تُرفع أي حملة بعد.
tab-review = المراجعة
tab-schedule = الجدولة
tab-dispatch = الإرسال
tab-report = التقرير
tabs-label = صفحات الحملة

## حملة واحدة

title-campaign = الحملة { $campaign }
campaign-versions = الإصدارات
campaign-version = الإصدار
campaign-uploaded = رُفع في { $created }؛ آخر تعديل في { $updated }.
campaign-written-by = كتبه:
campaign-author-unknown = غير معروف
campaign-show-texts = عرض نصوص هذا الإصدار
campaign-submit = تقديم للاعتماد
campaign-note = ملاحظة (اختيارية)
campaign-approve = اعتماد
campaign-reject = رفض
campaign-why-not-role = يتطلب الاعتماد أو الرفض دور المعتمِد.
campaign-why-not-author = أنت من كتب هذا الإصدار، لذا يجب أن يعتمده أو يرفضه معتمِد آخر (مبدأ الأعين الأربع).
campaign-translations-of = ترجمات الإصدار
campaign-drafts = ترجمات في طور المسودة (تحتاج إلى مراجعة):
campaign-missing = { $missing ->
    [zero] لا نصوص ناقصة.
    [one] ينقص نص واحد: لا يمكن إرسال هذا الإصدار.
    [two] ينقص نصّان: لا يمكن إرسال هذا الإصدار.
    [few] تنقص { $missing } نصوص: لا يمكن إرسال هذا الإصدار.
    [many] ينقص { $missing } نصًا: لا يمكن إرسال هذا الإصدار.
   *[other] ينقص { $missing } نص: لا يمكن إرسال هذا الإصدار.
}
campaign-complete = كل نص يصل إلى كل لغات الجمهور.
campaign-matrix-caption = الاكتمال: مصدر كل نص، لكل لغة من لغات الجمهور
campaign-matrix-text = النص
cell-translated = مترجَم
cell-falls-back = يُستعاض عنه بـ { $from }
cell-missing = ناقص
campaign-previews = ما يتلقاه كل جمهور
campaign-variant = النسخة { $variant }
campaign-fallback-note = معروض بلغة { $source } (بديلًا عن { $locale }).
campaign-length = { $length ->
    [zero] لا أحرف
    [one] حرف واحد
    [two] حرفان
    [few] { $length } أحرف
    [many] { $length } حرفًا
   *[other] { $length } حرف
}
campaign-length-of = { $length } من { $limit } حرفًا
campaign-too-long = طويل جدًا
campaign-no-previews = لا نص للمعاينة.

## الجدولة

title-schedule = الجدولة: { $campaign }
schedule-caption = الإصدارات المعتمدة وما بعدها، وما يمكن فعله بكل منها
schedule-col-version = الإصدار
schedule-col-state = الحالة
schedule-col-actions = الإجراءات
schedule-shown-below = (معروض أدناه)
schedule-schedule = جدولة
schedule-pause = إيقاف مؤقت
schedule-resume = استئناف
schedule-cancel = إلغاء الإصدار
schedule-none-approved = لم يُعتمد أي إصدار بعد: لا شيء للجدولة.
schedule-upcoming = الإرساليات القادمة
schedule-upcoming-of = الإرساليات القادمة للإصدار
schedule-from = ابتداءً من { $now }. تظهر الأوقات بالتوقيت العالمي المنسق (UTC) وبالتوقيت المحلي للجمهور.
schedule-upcoming-caption = { $total ->
    [zero] لا إرساليات قادمة
    [one] إرسالية قادمة واحدة
    [two] إرساليتان قادمتان
    [few] { $total } إرساليات قادمة
    [many] { $total } إرسالية قادمة
   *[other] { $total } إرسالية قادمة
}
schedule-upcoming-more = (تُعرض أول 50؛ و{ $more } أخرى)
schedule-col-utc = UTC
schedule-col-local = التوقيت المحلي للجمهور
schedule-col-zone = المنطقة الزمنية
schedule-col-segment = الشريحة
schedule-col-send = الإرسالية
schedule-col-channels = القنوات
schedule-no-upcoming = لا إرساليات قادمة.

## الإرسال

title-dispatch = الإرسال: { $campaign }
dispatch-killed = الإيقاف الطارئ مفعّل: أوقفت كل الإرساليات المعلّقة لهذه الحملة.
dispatch-outbox = صندوق الصادر
dispatch-outbox-of = صندوق الصادر للإصدار
dispatch-as-of = حتى { $now }.
dispatch-caption = المهام حسب القناة والحالة
dispatch-col-channel = القناة
dispatch-col-queued = في الانتظار
dispatch-col-sending = قيد الإرسال
dispatch-col-sent = أُرسلت
dispatch-col-dead = فشلت (نهائيًا)
dispatch-col-unknown = مجهولة
dispatch-col-cancelled = ملغاة
dispatch-col-other = أخرى
dispatch-waiting = غير جاهزة: بانتظار { $accounts } (تبقى مهامها في الانتظار)
dispatch-no-jobs = لا مهام بعد.
dispatch-pause-rule = لا يرسل الإصدار المتوقّف مؤقتًا شيئًا بعد خروج الدفعة التي في الطريق (20 ثانية على الأكثر من الإرساليات المتباعدة). ما يحين موعده أثناء التوقف يُتخطّى ولا يُرسل متأخرًا عند الاستئناف: تظهر رسائله ملغاة، وتستمر الجدولة عند موعد الإرسال التالي.
dispatch-kill-heading = الإيقاف الطارئ
dispatch-kill-intro = يوقف كل إرسالية معلّقة وكل إعادة محاولة لهذه الحملة، الآن ولاحقًا. استخدمه عندما يكون هناك خطأ لا يحتمل الانتظار.
dispatch-kill-confirm = أدرك أن هذا يوقف كل الإرساليات المعلّقة لهذه الحملة
dispatch-kill = إيقاف كل الإرساليات
dispatch-schedulers-only = وحدهم أصحاب دور الجدولة يوقفون الإرساليات مؤقتًا أو يستأنفونها أو يوقفونها.

## التقرير

title-report = تقرير الوصول: { $campaign }
report-period = الفترة
report-breakdown = التفصيل
report-from = من
report-until = حتى
report-compare = مقارنة مع
report-compare-placeholder = معرّفات الحملات، مفصولة بفواصل
report-show = عرض
report-choices-note = لا يمكن اختيار إلا الفترات والتفصيلات التي تنشرها سياسة النشر في هذا التثبيت؛ تختار التواريخ أسابيع أو أيامًا كاملة (مع الفترة أسبوع أو يوم).
report-downloads = التنزيلات:
report-settled-weeks = تُعرض الأسابيع المستقرة: تُنشر الحملة كاملة بعد انتهائها واستقرار يومها الأخير، ابتداءً من { $from }.
report-in-english = التقرير نفسه مكتوب بالإنجليزية، كما يكتبه الأمر «herald report».

## الإرساليات الفاشلة والنتائج المجهولة

title-dead-letters = الإرساليات الفاشلة
dead-intro = مهام فشلت نهائيًا: رفضها الشريك، أو استُنفدت كل المحاولات. اقرأ ردّ الشريك أولًا: إعادة محاولة رسالة يرفضها الشريك نهائيًا (محادثة خاطئة، قالب محظور) تفشل مجددًا.
dead-retry-note = تعيد المحاولة المهمة إلى قائمة الانتظار، مستحقة فورًا، بعدّاد محاولات جديد. وتحتفظ بمفتاح عدم التكرار، فيتجاهل الشريك الذي يزيل التكرار الرسالة المكررة، وبعلامة «ربما وصلت مرتين» إن وُجدت.
dead-caption = الإرساليات الفاشلة، المهام من { $first } إلى { $last } (الأقدم أولًا)
jobs-col-job = المهمة
jobs-col-campaign = الحملة
jobs-col-target = الإرسالية، الشريحة، اللغة
jobs-col-channel = القناة
jobs-col-slot = الموعد
dead-col-attempts = المحاولات
dead-col-partner = ردّ الشريك
dead-col-failed = فشلت
dead-col-action = الإجراء
dead-may-repeat = ربما وصلت مرتين: { $why }
dead-retry = إعادة المحاولة
jobs-next = التالية ({ $limit })
dead-none = لا إرساليات فاشلة.
dead-none-after = لا إرساليات فاشلة بعد المهمة { $after }.
dead-schedulers-only = وحدهم أصحاب دور الجدولة يعيدون محاولة الإرساليات الفاشلة.
title-unknown-outcomes = النتائج المجهولة
unknown-intro = إرساليات لم يصل ردّها قط (انتهاء المهلة، انقطاع الاتصال، توقف عملية في منتصف الإرسال) لدى شريك لا يستطيع التعرف على التكرار. لا يعيد herald إرسالها من تلقاء نفسه أبدًا: فقد تكون الرسالة لدى الشخص بالفعل. تحقق من كل واحدة لدى الشريك (منشوره أو سجلّ التسليم لديه)، ثم أخبرنا بما وجدت.
unknown-counting-rule = «سُلّمت» تحتسب الرسالة مُرسلة، و«لم تُسلَّم» تحتسبها فاشلة، في يوم حسمك لها، لا في يوم ضياع الرد: لا ينشر التقرير يومًا إلا بعد استقراره، فلا يتغيّر أي رقم منشور. تُحسم كل مهمة مرة واحدة؛ ويبقى الحسم الأول ساريًا.
unknown-caption = النتائج المجهولة، المهام من { $first } إلى { $last } (الأقدم أولًا)
unknown-col-what = ما حدث
unknown-col-since = منذ
unknown-col-resolve = الحسم
unknown-partner-says = يقول الشريك إن الرسالة
unknown-delivered = سُلّمت
unknown-not-delivered = لم تُسلَّم
unknown-resend = لم تُسلَّم: أرسلها مجددًا
unknown-confirm-resend = تحققت لدى الشريك: الرسالة ليست لدى الشخص، وقد تصله مرتين إن أخطأ الشريك
unknown-resolve = حسم
unknown-none = لا نتائج مجهولة.
unknown-none-after = لا نتائج مجهولة بعد المهمة { $after }.
unknown-schedulers-only = وحدهم أصحاب دور الجدولة يحسمون النتائج المجهولة.
title-resolved = حُسمت النتيجة المجهولة
resolved-as = حُسمت المهمة { $id } من { $campaign } على أنها «{ $resolution }» بواسطة { $by } في { $at }.
resolution-delivered = سُلّمت
resolution-not-delivered = لم تُسلَّم
resolution-not-delivered-resent = لم تُسلَّم، وأُعيد إرسالها
resolved-resent = عادت إلى قائمة الانتظار وستخرج مجددًا قريبًا؛ وستُحتسب نتيجتها عند إرسالها.
resolved-counted-sent = تُحتسب مُرسلة في { $day }.
resolved-counted-failed = تُحتسب فاشلة في { $day }.
resolved-back = العودة إلى النتائج المجهولة

## المشتركون

title-subscribers = المشتركون
subscribers-intro = عدد من يتابعون كل قناة مراسلة، حسب الشريحة واللغة. تُحجب الأعداد الأقل من k، وعند الحاجة عدد ثانٍ أيضًا، حتى لا يمكن استنتاج أي عدد محجوب من المجاميع: الجداول نفسها التي يعرضها الأمر «herald subscribers stats».
subscribers-k = حجب الأعداد الأقل من
subscribers-show = عرض
subscribers-none = لا مشتركين.

## المستخدمون

title-users = المستخدمون
users-intro = من يحق له استخدام herald، وبأي أدوار. يظهر سرّ الرمز مرة واحدة عند إضافة المستخدم ولا يظهر بعدها أبدًا: لا يحتفظ herald إلا ببصمته. إلغاء مستخدم ينهي وصوله فورًا، عبر الواجهة البرمجية وفي المتصفح.
users-caption = المستخدمون
users-col-name = الاسم
users-col-roles = الأدوار
users-col-added = أُضيف
users-col-tokens = الرموز النشطة
users-col-sessions = جلسات الويب
users-col-access = الوصول
users-expires = ينتهي في { $at }
users-active-you = نشط (أنت)
users-revoke = إلغاء
users-revoked = ملغى
users-add-heading = إضافة مستخدم
users-name = الاسم
users-roles = الأدوار
users-add = إضافة المستخدم
title-user-added = أُضيف المستخدم
user-added = أُضيف { $name } بالأدوار { $roles }.
user-added-token = رمز الواجهة البرمجية الخاص به أدناه. انسخه الآن وسلّمه إليه عبر قناة آمنة: لا يظهر إلا هذه المرة، ولا يحتفظ herald إلا ببصمته.
user-added-back = العودة إلى المستخدمين

## الإشعارات

title-notifications = الإشعارات
notifications-intro = ما يبلغك به herald، وكيف. لا تحمل الإشعارات إلا الحملة والإصدار والحساب والأعداد والأوقات: ولا شيء أبدًا عن الأشخاص الذين تصلهم الحملة. تُجمع الأحداث في رسالة واحدة لكل فترة تلخيص؛ أما الإيقاف الطارئ أو انقطاع خدمة شريك فيُرسل فورًا.
notifications-about = أبلغني عن
notifications-nothing-for-roles = أدوارك لا تتلقى إشعارات: يعلم المعتمِدون بالتقديمات، ويعلم المجدوِلون بالتسليم.
notifications-by = عبر
notifications-email = البريد الإلكتروني
notifications-webhook = دردشة الفريق
notifications-none = لا شيء
notifications-address = عنوان البريد الإلكتروني
notifications-save = حفظ
kind-version-submitted = إصدار مقدَّم للاعتماد
kind-dead-letters = إرساليات فاشلة
kind-unknown-outcomes = نتائج مجهولة
kind-template-blocked = قالب رسالة حظره شريك
kind-partner-outage = انقطاع خدمة شريك
kind-kill-switch = استخدام الإيقاف الطارئ

## إعداداتي

title-settings = إعداداتي
settings-intro = اللغة التي تُعرض بها صفحات herald. «حسب طلب متصفحي» تتبع اللغات التي يرسلها متصفحك، والإنجليزية إن لم تتوفر أي منها في herald.
settings-language = اللغة
settings-language-browser = حسب طلب متصفحي
settings-save = حفظ
settings-saved = حُفظت إعداداتك.
settings-draft-note = الترجمات غير الإنجليزية مسودات آلية لا تزال بحاجة إلى مراجعة متحدث أصلي.

## Translation status in the completeness matrix
string-status-missing = ناقص
string-status-draft = مسودة
string-status-translated = مترجَم
string-status-reviewed = مُراجَع
string-export-missing = تصدير النصوص الناقصة
string-status-source = المصدر
campaign-translate-with-tools = ترجم بأدواتك:
