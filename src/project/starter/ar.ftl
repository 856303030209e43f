### {campaign} — Arabic
### status: draft
# A machine draft: have a translator review it before approval.
intro--a = مشورة مجانية وسرية بشأن العودة إلى الوطن، بلغتك.
    .title = اعرف خياراتك
    .cta = اقرأ المزيد
intro--b = لديك خيارات. المشورة مجانية وسرية.
    .title = اعرف خياراتك
    .cta = اقرأ المزيد
