import type { ShippedLanguage } from './languages.js';
import type { MessageFields, MessageType } from './message-types.js';

// The texts this service ships, written for it (English is spec §4's). Variables are ZITADEL's
// ({{.DisplayName}}, {{.Code}}, {{.Expiry}}, …); a blank line starts a new paragraph. Custom
// texts of an organisation or the instance override them field by field.

type Mail = Omit<MessageFields, 'footerText'> & { footerText?: string };

/** Words of the mail layout itself (not customisable: they frame the custom texts). */
export interface LayoutTexts {
  /** Above the verification link written out in full, for mail clients that break the button. */
  linkHint: string;
}

/** The hosted verification page. */
export interface PageTexts {
  formTitle: string;
  formIntro: string;
  codeLabel: string;
  button: string;
  verifiedTitle: string;
  verifiedMessage: string;
  failedTitle: string;
  incompleteLink: string;
  invalidCode: string;
}

interface LanguageTexts {
  mails: Record<MessageType, Mail>;
  layout: LayoutTexts;
  page: PageTexts;
}

const TEXTS: Record<ShippedLanguage, LanguageTexts> = {
  en: {
    mails: {
      verifyemail: {
        title: 'Verify email',
        preHeader: 'Verify email',
        subject: 'Verify email',
        greeting: 'Hello {{.DisplayName}},',
        text: "A new email has been added. Please use the button below to verify your email. (Code {{.Code}}) If you didn't add a new email, please ignore this email.",
        buttonText: 'Verify email',
      },
      emailchanged: {
        title: 'Your email address was changed',
        preHeader: 'This address is no longer used for your account.',
        subject: 'Your email address was changed',
        greeting: 'Hello {{.DisplayName}},',
        text: 'The contact email of your account was changed, so this address will no longer be used for it.\n\nIf you did not make this change, contact your administrator right away.',
        buttonText: 'Undo this change',
      },
      emailchangereverted: {
        title: 'Email change undone',
        preHeader: 'This address is no longer used for your account.',
        subject: 'The change of your email address was undone',
        greeting: 'Hello {{.DisplayName}},',
        text: "The change of your account's contact email to this address was undone from the previous address. This address is no longer used for your account.\n\nIf you made the change and want to keep it, contact your administrator.",
        buttonText: '',
      },
    },
    layout: { linkHint: 'If the button does not work, open this link:' },
    page: {
      formTitle: 'Verify email',
      formIntro: 'Press the button to confirm that this email address belongs to you.',
      codeLabel: 'Verification code',
      button: 'Verify email',
      verifiedTitle: 'Email verified',
      verifiedMessage: 'Your email address has been verified. You can close this page.',
      failedTitle: 'Verification failed',
      incompleteLink: 'This verification link is incomplete. Open the link from the mail again, or request a new code.',
      invalidCode: 'This code is invalid or has expired. Request a new code and try again.',
    },
  },
  de: {
    mails: {
      verifyemail: {
        title: 'E-Mail-Adresse bestätigen',
        preHeader: 'Bitte bestätigen Sie Ihre neue E-Mail-Adresse.',
        subject: 'Bitte bestätigen Sie Ihre E-Mail-Adresse',
        greeting: 'Hallo {{.DisplayName}},',
        text: 'diese E-Mail-Adresse wurde für Ihr Konto hinterlegt. Bitte bestätigen Sie sie über die Schaltfläche unten oder mit dem Code {{.Code}}. Der Code ist {{.Expiry}} gültig.\n\nWenn Sie diese Adresse nicht hinterlegt haben, können Sie diese E-Mail ignorieren.',
        buttonText: 'E-Mail-Adresse bestätigen',
      },
      emailchanged: {
        title: 'Ihre E-Mail-Adresse wurde geändert',
        preHeader: 'Diese Adresse wird für Ihr Konto nicht mehr verwendet.',
        subject: 'Ihre E-Mail-Adresse wurde geändert',
        greeting: 'Hallo {{.DisplayName}},',
        text: 'die Kontakt-E-Mail-Adresse Ihres Kontos wurde geändert. Diese Adresse wird dafür nicht mehr verwendet.\n\nWenn Sie diese Änderung nicht vorgenommen haben, wenden Sie sich bitte umgehend an Ihren Administrator.',
        buttonText: 'Änderung rückgängig machen',
      },
      emailchangereverted: {
        title: 'Änderung der E-Mail-Adresse rückgängig gemacht',
        preHeader: 'Diese Adresse wird für Ihr Konto nicht mehr verwendet.',
        subject: 'Die Änderung Ihrer E-Mail-Adresse wurde rückgängig gemacht',
        greeting: 'Hallo {{.DisplayName}},',
        text: 'die Änderung der Kontakt-E-Mail-Adresse Ihres Kontos auf diese Adresse wurde über die bisherige Adresse rückgängig gemacht. Diese Adresse wird für Ihr Konto nicht mehr verwendet.\n\nWenn Sie die Änderung selbst vorgenommen haben und sie beibehalten möchten, wenden Sie sich bitte an Ihren Administrator.',
        buttonText: '',
      },
    },
    layout: { linkHint: 'Falls die Schaltfläche nicht funktioniert, öffnen Sie diesen Link:' },
    page: {
      formTitle: 'E-Mail-Adresse bestätigen',
      formIntro: 'Klicken Sie auf die Schaltfläche, um zu bestätigen, dass diese E-Mail-Adresse Ihnen gehört.',
      codeLabel: 'Bestätigungscode',
      button: 'E-Mail-Adresse bestätigen',
      verifiedTitle: 'E-Mail-Adresse bestätigt',
      verifiedMessage: 'Ihre E-Mail-Adresse wurde bestätigt. Sie können diese Seite jetzt schließen.',
      failedTitle: 'Bestätigung fehlgeschlagen',
      incompleteLink:
        'Dieser Bestätigungslink ist unvollständig. Öffnen Sie den Link aus der E-Mail erneut oder fordern Sie einen neuen Code an.',
      invalidCode: 'Dieser Code ist ungültig oder abgelaufen. Fordern Sie einen neuen Code an und versuchen Sie es erneut.',
    },
  },
  fr: {
    mails: {
      verifyemail: {
        title: 'Confirmez votre adresse e-mail',
        preHeader: 'Confirmez votre nouvelle adresse e-mail.',
        subject: 'Confirmez votre adresse e-mail',
        greeting: 'Bonjour {{.DisplayName}},',
        text: "Cette adresse e-mail a été ajoutée à votre compte. Veuillez la confirmer à l'aide du bouton ci-dessous ou avec le code {{.Code}}. Le code est valable {{.Expiry}}.\n\nSi vous n'avez pas ajouté cette adresse, vous pouvez ignorer cet e-mail.",
        buttonText: "Confirmer l'adresse e-mail",
      },
      emailchanged: {
        title: 'Votre adresse e-mail a été modifiée',
        preHeader: "Cette adresse n'est plus utilisée pour votre compte.",
        subject: 'Votre adresse e-mail a été modifiée',
        greeting: 'Bonjour {{.DisplayName}},',
        text: "L'adresse e-mail de contact de votre compte a été modifiée : cette adresse ne sera plus utilisée pour celui-ci.\n\nSi vous n'êtes pas à l'origine de cette modification, contactez immédiatement votre administrateur.",
        buttonText: 'Annuler cette modification',
      },
      emailchangereverted: {
        title: "Modification de l'adresse e-mail annulée",
        preHeader: "Cette adresse n'est plus utilisée pour votre compte.",
        subject: 'La modification de votre adresse e-mail a été annulée',
        greeting: 'Bonjour {{.DisplayName}},',
        text: "Le remplacement de l'adresse e-mail de contact de votre compte par cette adresse a été annulé depuis l'adresse précédente. Cette adresse n'est plus utilisée pour votre compte.\n\nSi vous êtes à l'origine de la modification et souhaitez la conserver, contactez votre administrateur.",
        buttonText: '',
      },
    },
    layout: { linkHint: 'Si le bouton ne fonctionne pas, ouvrez ce lien :' },
    page: {
      formTitle: "Confirmer l'adresse e-mail",
      formIntro: 'Appuyez sur le bouton pour confirmer que cette adresse e-mail vous appartient.',
      codeLabel: 'Code de vérification',
      button: "Confirmer l'adresse e-mail",
      verifiedTitle: 'Adresse e-mail confirmée',
      verifiedMessage: 'Votre adresse e-mail a été confirmée. Vous pouvez fermer cette page.',
      failedTitle: 'Échec de la vérification',
      incompleteLink: "Ce lien de vérification est incomplet. Ouvrez à nouveau le lien de l'e-mail ou demandez un nouveau code.",
      invalidCode: 'Ce code est invalide ou a expiré. Demandez un nouveau code et réessayez.',
    },
  },
  es: {
    mails: {
      verifyemail: {
        title: 'Verifica tu correo electrónico',
        preHeader: 'Confirma tu nueva dirección de correo electrónico.',
        subject: 'Verifica tu dirección de correo electrónico',
        greeting: 'Hola, {{.DisplayName}}:',
        text: 'Se ha añadido esta dirección de correo electrónico a tu cuenta. Confírmala con el botón de abajo o con el código {{.Code}}. El código es válido durante {{.Expiry}}.\n\nSi no has añadido esta dirección, puedes ignorar este mensaje.',
        buttonText: 'Verificar correo electrónico',
      },
      emailchanged: {
        title: 'Se ha cambiado tu dirección de correo electrónico',
        preHeader: 'Esta dirección ya no se usa para tu cuenta.',
        subject: 'Se ha cambiado tu dirección de correo electrónico',
        greeting: 'Hola, {{.DisplayName}}:',
        text: 'Se ha cambiado el correo electrónico de contacto de tu cuenta, por lo que esta dirección ya no se utilizará para ella.\n\nSi no has hecho este cambio, ponte en contacto con tu administrador de inmediato.',
        buttonText: 'Deshacer este cambio',
      },
      emailchangereverted: {
        title: 'Cambio de correo electrónico deshecho',
        preHeader: 'Esta dirección ya no se usa para tu cuenta.',
        subject: 'Se ha deshecho el cambio de tu correo electrónico',
        greeting: 'Hola, {{.DisplayName}}:',
        text: 'El cambio del correo electrónico de contacto de tu cuenta a esta dirección se ha deshecho desde la dirección anterior. Esta dirección ya no se utiliza para tu cuenta.\n\nSi hiciste tú el cambio y quieres mantenerlo, ponte en contacto con tu administrador.',
        buttonText: '',
      },
    },
    layout: { linkHint: 'Si el botón no funciona, abre este enlace:' },
    page: {
      formTitle: 'Verificar correo electrónico',
      formIntro: 'Pulsa el botón para confirmar que esta dirección de correo electrónico es tuya.',
      codeLabel: 'Código de verificación',
      button: 'Verificar correo electrónico',
      verifiedTitle: 'Correo electrónico verificado',
      verifiedMessage: 'Tu dirección de correo electrónico se ha verificado. Ya puedes cerrar esta página.',
      failedTitle: 'Error en la verificación',
      incompleteLink: 'Este enlace de verificación está incompleto. Vuelve a abrir el enlace del correo o solicita un código nuevo.',
      invalidCode: 'Este código no es válido o ha caducado. Solicita un código nuevo y vuelve a intentarlo.',
    },
  },
  it: {
    mails: {
      verifyemail: {
        title: 'Verifica il tuo indirizzo email',
        preHeader: 'Conferma il tuo nuovo indirizzo email.',
        subject: 'Verifica il tuo indirizzo email',
        greeting: 'Ciao {{.DisplayName}},',
        text: 'Questo indirizzo email è stato aggiunto al tuo account. Confermalo con il pulsante qui sotto o con il codice {{.Code}}. Il codice è valido per {{.Expiry}}.\n\nSe non hai aggiunto questo indirizzo, puoi ignorare questa email.',
        buttonText: 'Verifica email',
      },
      emailchanged: {
        title: 'Il tuo indirizzo email è stato modificato',
        preHeader: 'Questo indirizzo non viene più usato per il tuo account.',
        subject: 'Il tuo indirizzo email è stato modificato',
        greeting: 'Ciao {{.DisplayName}},',
        text: "L'indirizzo email di contatto del tuo account è stato modificato, quindi questo indirizzo non verrà più utilizzato.\n\nSe non hai effettuato tu questa modifica, contatta subito il tuo amministratore.",
        buttonText: 'Annulla la modifica',
      },
      emailchangereverted: {
        title: "Modifica dell'indirizzo email annullata",
        preHeader: 'Questo indirizzo non viene più usato per il tuo account.',
        subject: 'La modifica del tuo indirizzo email è stata annullata',
        greeting: 'Ciao {{.DisplayName}},',
        text: "La modifica dell'indirizzo email di contatto del tuo account a questo indirizzo è stata annullata dall'indirizzo precedente. Questo indirizzo non viene più utilizzato per il tuo account.\n\nSe la modifica l'hai fatta tu e vuoi mantenerla, contatta il tuo amministratore.",
        buttonText: '',
      },
    },
    layout: { linkHint: 'Se il pulsante non funziona, apri questo link:' },
    page: {
      formTitle: 'Verifica email',
      formIntro: 'Premi il pulsante per confermare che questo indirizzo email è tuo.',
      codeLabel: 'Codice di verifica',
      button: 'Verifica email',
      verifiedTitle: 'Email verificata',
      verifiedMessage: 'Il tuo indirizzo email è stato verificato. Puoi chiudere questa pagina.',
      failedTitle: 'Verifica non riuscita',
      incompleteLink: "Questo link di verifica è incompleto. Apri di nuovo il link dall'email oppure richiedi un nuovo codice.",
      invalidCode: 'Questo codice non è valido o è scaduto. Richiedi un nuovo codice e riprova.',
    },
  },
  pt: {
    mails: {
      verifyemail: {
        title: 'Confirme seu endereço de e-mail',
        preHeader: 'Confirme seu novo endereço de e-mail.',
        subject: 'Confirme seu endereço de e-mail',
        greeting: 'Olá, {{.DisplayName}},',
        text: 'Este endereço de e-mail foi adicionado à sua conta. Confirme-o pelo botão abaixo ou com o código {{.Code}}. O código é válido por {{.Expiry}}.\n\nSe você não adicionou este endereço, ignore este e-mail.',
        buttonText: 'Confirmar e-mail',
      },
      emailchanged: {
        title: 'Seu endereço de e-mail foi alterado',
        preHeader: 'Este endereço não é mais usado na sua conta.',
        subject: 'Seu endereço de e-mail foi alterado',
        greeting: 'Olá, {{.DisplayName}},',
        text: 'O e-mail de contato da sua conta foi alterado, então este endereço não será mais usado para ela.\n\nSe você não fez esta alteração, entre em contato com seu administrador imediatamente.',
        buttonText: 'Desfazer esta alteração',
      },
      emailchangereverted: {
        title: 'Alteração de e-mail desfeita',
        preHeader: 'Este endereço não é mais usado na sua conta.',
        subject: 'A alteração do seu e-mail foi desfeita',
        greeting: 'Olá, {{.DisplayName}},',
        text: 'A alteração do e-mail de contato da sua conta para este endereço foi desfeita a partir do endereço anterior. Este endereço não é mais usado na sua conta.\n\nSe foi você quem fez a alteração e deseja mantê-la, entre em contato com seu administrador.',
        buttonText: '',
      },
    },
    layout: { linkHint: 'Se o botão não funcionar, abra este link:' },
    page: {
      formTitle: 'Confirmar e-mail',
      formIntro: 'Pressione o botão para confirmar que este endereço de e-mail pertence a você.',
      codeLabel: 'Código de verificação',
      button: 'Confirmar e-mail',
      verifiedTitle: 'E-mail confirmado',
      verifiedMessage: 'Seu endereço de e-mail foi confirmado. Você já pode fechar esta página.',
      failedTitle: 'Falha na verificação',
      incompleteLink: 'Este link de verificação está incompleto. Abra novamente o link do e-mail ou solicite um novo código.',
      invalidCode: 'Este código é inválido ou expirou. Solicite um novo código e tente novamente.',
    },
  },
  nl: {
    mails: {
      verifyemail: {
        title: 'Bevestig je e-mailadres',
        preHeader: 'Bevestig je nieuwe e-mailadres.',
        subject: 'Bevestig je e-mailadres',
        greeting: 'Hallo {{.DisplayName}},',
        text: 'Dit e-mailadres is aan je account toegevoegd. Bevestig het met de knop hieronder of met de code {{.Code}}. De code is {{.Expiry}} geldig.\n\nHeb je dit adres niet toegevoegd? Dan kun je deze e-mail negeren.',
        buttonText: 'E-mailadres bevestigen',
      },
      emailchanged: {
        title: 'Je e-mailadres is gewijzigd',
        preHeader: 'Dit adres wordt niet meer gebruikt voor je account.',
        subject: 'Je e-mailadres is gewijzigd',
        greeting: 'Hallo {{.DisplayName}},',
        text: 'Het contact-e-mailadres van je account is gewijzigd. Dit adres wordt daarvoor niet meer gebruikt.\n\nHeb je deze wijziging niet zelf gedaan? Neem dan direct contact op met je beheerder.',
        buttonText: 'Wijziging ongedaan maken',
      },
      emailchangereverted: {
        title: 'Wijziging van e-mailadres ongedaan gemaakt',
        preHeader: 'Dit adres wordt niet meer gebruikt voor je account.',
        subject: 'De wijziging van je e-mailadres is ongedaan gemaakt',
        greeting: 'Hallo {{.DisplayName}},',
        text: 'De wijziging van het contact-e-mailadres van je account naar dit adres is vanaf het vorige adres ongedaan gemaakt. Dit adres wordt niet meer gebruikt voor je account.\n\nHeb je de wijziging zelf gedaan en wil je die behouden? Neem dan contact op met je beheerder.',
        buttonText: '',
      },
    },
    layout: { linkHint: 'Werkt de knop niet? Open dan deze link:' },
    page: {
      formTitle: 'E-mailadres bevestigen',
      formIntro: 'Druk op de knop om te bevestigen dat dit e-mailadres van jou is.',
      codeLabel: 'Verificatiecode',
      button: 'E-mailadres bevestigen',
      verifiedTitle: 'E-mailadres bevestigd',
      verifiedMessage: 'Je e-mailadres is bevestigd. Je kunt deze pagina sluiten.',
      failedTitle: 'Verificatie mislukt',
      incompleteLink: 'Deze verificatielink is onvolledig. Open de link uit de e-mail opnieuw of vraag een nieuwe code aan.',
      invalidCode: 'Deze code is ongeldig of verlopen. Vraag een nieuwe code aan en probeer het opnieuw.',
    },
  },
  pl: {
    mails: {
      verifyemail: {
        title: 'Potwierdź swój adres e-mail',
        preHeader: 'Potwierdź swój nowy adres e-mail.',
        subject: 'Potwierdź swój adres e-mail',
        greeting: 'Witaj {{.DisplayName}},',
        text: 'Ten adres e-mail został dodany do Twojego konta. Potwierdź go przyciskiem poniżej lub kodem {{.Code}}. Czas ważności kodu: {{.Expiry}}.\n\nJeśli ten adres nie został dodany przez Ciebie, zignoruj tę wiadomość.',
        buttonText: 'Potwierdź adres e-mail',
      },
      emailchanged: {
        title: 'Twój adres e-mail został zmieniony',
        preHeader: 'Ten adres nie jest już używany dla Twojego konta.',
        subject: 'Twój adres e-mail został zmieniony',
        greeting: 'Witaj {{.DisplayName}},',
        text: 'Kontaktowy adres e-mail Twojego konta został zmieniony, dlatego ten adres nie będzie już dla niego używany.\n\nJeśli ta zmiana nie została wprowadzona przez Ciebie, natychmiast skontaktuj się z administratorem.',
        buttonText: 'Cofnij tę zmianę',
      },
      emailchangereverted: {
        title: 'Zmiana adresu e-mail została cofnięta',
        preHeader: 'Ten adres nie jest już używany dla Twojego konta.',
        subject: 'Zmiana adresu e-mail została cofnięta',
        greeting: 'Witaj {{.DisplayName}},',
        text: 'Zmiana kontaktowego adresu e-mail Twojego konta na ten adres została cofnięta z poprzedniego adresu. Ten adres nie jest już używany dla Twojego konta.\n\nJeśli zmiana została wprowadzona przez Ciebie i chcesz ją zachować, skontaktuj się z administratorem.',
        buttonText: '',
      },
    },
    layout: { linkHint: 'Jeśli przycisk nie działa, otwórz ten link:' },
    page: {
      formTitle: 'Potwierdź adres e-mail',
      formIntro: 'Naciśnij przycisk, aby potwierdzić, że ten adres e-mail należy do Ciebie.',
      codeLabel: 'Kod weryfikacyjny',
      button: 'Potwierdź adres e-mail',
      verifiedTitle: 'Adres e-mail potwierdzony',
      verifiedMessage: 'Twój adres e-mail został potwierdzony. Możesz zamknąć tę stronę.',
      failedTitle: 'Weryfikacja nie powiodła się',
      incompleteLink: 'Ten link weryfikacyjny jest niekompletny. Otwórz ponownie link z wiadomości e-mail lub poproś o nowy kod.',
      invalidCode: 'Ten kod jest nieprawidłowy lub wygasł. Poproś o nowy kod i spróbuj ponownie.',
    },
  },
  ja: {
    mails: {
      verifyemail: {
        title: 'メールアドレスの確認',
        preHeader: '新しいメールアドレスを確認してください。',
        subject: 'メールアドレスの確認',
        greeting: '{{.DisplayName}} 様',
        text: 'このメールアドレスがお客様のアカウントに追加されました。下のボタン、または確認コード {{.Code}} を使って、メールアドレスを確認してください。コードの有効期限は{{.Expiry}}です。\n\nお心当たりがない場合は、このメールを無視してください。',
        buttonText: 'メールアドレスを確認する',
      },
      emailchanged: {
        title: 'メールアドレスが変更されました',
        preHeader: 'このアドレスはアカウントで使用されなくなりました。',
        subject: 'メールアドレスが変更されました',
        greeting: '{{.DisplayName}} 様',
        text: 'お客様のアカウントの連絡先メールアドレスが変更されたため、このアドレスは今後使用されません。\n\nこの変更にお心当たりがない場合は、すぐに管理者にお問い合わせください。',
        buttonText: 'この変更を取り消す',
      },
      emailchangereverted: {
        title: 'メールアドレスの変更が取り消されました',
        preHeader: 'このアドレスはアカウントで使用されなくなりました。',
        subject: 'メールアドレスの変更が取り消されました',
        greeting: '{{.DisplayName}} 様',
        text: 'お客様のアカウントの連絡先メールアドレスをこのアドレスに変更する操作は、以前のアドレスから取り消されました。このアドレスは今後アカウントで使用されません。\n\nご自身で変更を行い、維持したい場合は、管理者にお問い合わせください。',
        buttonText: '',
      },
    },
    layout: { linkHint: 'ボタンが機能しない場合は、次のリンクを開いてください：' },
    page: {
      formTitle: 'メールアドレスの確認',
      formIntro: 'ボタンを押して、このメールアドレスがご自身のものであることを確認してください。',
      codeLabel: '確認コード',
      button: 'メールアドレスを確認する',
      verifiedTitle: 'メールアドレスを確認しました',
      verifiedMessage: 'メールアドレスの確認が完了しました。このページは閉じてかまいません。',
      failedTitle: '確認できませんでした',
      incompleteLink: 'この確認リンクは不完全です。メールのリンクをもう一度開くか、新しいコードをリクエストしてください。',
      invalidCode: 'このコードは無効か、有効期限が切れています。新しいコードをリクエストして、もう一度お試しください。',
    },
  },
  zh: {
    mails: {
      verifyemail: {
        title: '验证您的电子邮件地址',
        preHeader: '请验证您的新电子邮件地址。',
        subject: '验证您的电子邮件地址',
        greeting: '{{.DisplayName}}，您好：',
        text: '此电子邮件地址已添加到您的账户。请点击下方按钮，或使用验证码 {{.Code}} 完成验证。验证码有效期为{{.Expiry}}。\n\n如果您没有添加此地址，请忽略此邮件。',
        buttonText: '验证电子邮件',
      },
      emailchanged: {
        title: '您的电子邮件地址已更改',
        preHeader: '此地址将不再用于您的账户。',
        subject: '您的电子邮件地址已更改',
        greeting: '{{.DisplayName}}，您好：',
        text: '您账户的联系电子邮件地址已更改，此地址将不再用于该账户。\n\n如果这不是您本人的操作，请立即联系您的管理员。',
        buttonText: '撤销此更改',
      },
      emailchangereverted: {
        title: '电子邮件地址更改已撤销',
        preHeader: '此地址将不再用于您的账户。',
        subject: '您的电子邮件地址更改已被撤销',
        greeting: '{{.DisplayName}}，您好：',
        text: '已通过原地址撤销将您账户的联系电子邮件地址更改为此地址的操作。此地址将不再用于您的账户。\n\n如果更改是您本人所为且希望保留，请联系您的管理员。',
        buttonText: '',
      },
    },
    layout: { linkHint: '如果按钮无法使用，请打开此链接：' },
    page: {
      formTitle: '验证电子邮件',
      formIntro: '点击按钮，确认此电子邮件地址属于您。',
      codeLabel: '验证码',
      button: '验证电子邮件',
      verifiedTitle: '电子邮件已验证',
      verifiedMessage: '您的电子邮件地址已验证。您可以关闭此页面。',
      failedTitle: '验证失败',
      incompleteLink: '此验证链接不完整。请重新打开邮件中的链接，或申请新的验证码。',
      invalidCode: '此验证码无效或已过期。请申请新的验证码后重试。',
    },
  },
};

/** The shipped text of a message type in a shipped language (every field present; '' = none). */
export function shippedMessage(type: MessageType, language: ShippedLanguage): MessageFields {
  const m = TEXTS[language].mails[type];
  return { ...m, footerText: m.footerText ?? '' };
}

export const shippedLayout = (language: ShippedLanguage): LayoutTexts => TEXTS[language].layout;
export const shippedPage = (language: ShippedLanguage): PageTexts => TEXTS[language].page;
