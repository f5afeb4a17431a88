import type { Texts } from './types.js';

const times = (count: number) => (count === 1 ? '1 vez' : `${count} veces`);

/** Spanish: the default language of the restaurant pages. */
export const ES: Texts = {
  language: 'es',
  languageName: 'Español',
  state: {
    protected: 'Protegido',
    latency: 'Protección con retraso',
    reconnecting: 'Recuperando la protección',
    server: 'Usando el servidor',
  },
  headline: {
    notJoined: 'Este navegador no protege',
    waitingForTab: 'Sin protección: WhatsApp en pausa',
  },
  cause: {
    tunnel: 'WhatsApp sale por la conexión a internet del restaurante.',
    'slow-peer':
      'La conexión a internet del restaurante va lenta. WhatsApp puede tardar más en enviar y ' +
      'recibir.',
    'not-joined': 'Este navegador todavía no lleva el tráfico de WhatsApp del restaurante.',
    'room-link': 'Este navegador se está volviendo a conectar.',
    'no-word': 'Esperando noticias del servidor de WhatsApp.',
    moving: 'La conexión del restaurante ya está lista; WhatsApp pasará a usarla en unos segundos.',
    probing: 'Comprobando qué partes de WhatsApp puede llevar este navegador.',
    'policy-direct':
      'La protección está apagada para este restaurante: WhatsApp funciona por el servidor.',
    leak: 'Parte del tráfico de WhatsApp salió por el servidor cuando debía ir por el restaurante.',
    leg: 'Este navegador no puede llevar una parte de WhatsApp; esa parte va por el servidor.',
    partial: 'Una parte del tráfico de WhatsApp va por el servidor.',
    'no-peer': 'Ningún navegador del restaurante está llevando WhatsApp.',
  },
  meanwhile: {
    server: 'Mientras tanto, WhatsApp sigue funcionando por el servidor, que es menos seguro.',
    waiting: 'Mientras tanto, WhatsApp está en pausa.',
  },
  flags: {
    leaks: (count) => `Se detectó tráfico de WhatsApp saliendo por el servidor (${times(count)}).`,
    unservable: (legs) => `Este navegador no puede llevar: ${legs}.`,
    paused: 'Pausado por el personal en este navegador.',
    waitingForTab: 'WhatsApp está en pausa hasta que haya una pestaña abierta que lo lleve.',
  },
  legs: {
    websocket: 'la conexión principal de WhatsApp',
    download: 'las fotos y archivos que llegan',
    upload: 'las fotos y archivos que se envían',
  },
  routes: {
    title: 'Por dónde va cada parte',
    route: {
      tunnel: 'por el restaurante',
      direct: 'por el servidor',
      none: 'en pausa',
    },
    roundTrip: (ms) => `Tiempo de respuesta: ${Math.round(ms)} ms`,
  },
  notices: {
    'protection-on': 'Protección activa: WhatsApp usa la conexión del restaurante.',
    'protection-restored': 'Protección restablecida.',
    'protection-off': 'Protección desactivada, pero WhatsApp sigue funcionando.',
    slow: 'La conexión del restaurante va lenta. WhatsApp sigue funcionando, puede tardar más.',
    leak: (count) =>
      `Aviso: tráfico de WhatsApp salió por el servidor (${times(count)}). ` +
      'WhatsApp sigue funcionando.',
    leg: (legs) =>
      `Este navegador no puede llevar ${legs}; esa parte va por el servidor. ` +
      'WhatsApp sigue funcionando.',
    paused: 'Protección en pausa en este navegador. WhatsApp sigue funcionando.',
    resumed: 'Protección reanudada en este navegador.',
    'whatsapp-waiting': 'WhatsApp está en pausa hasta que haya una pestaña abierta que lo lleve.',
  },
  noticeTitle: 'Pasarela',
  session: {
    title: 'WhatsApp',
    states: {
      connected: 'Conectado',
      qr: 'Falta vincular el teléfono',
      starting: 'Conectando…',
      reconnecting: 'Reconectando…',
      stopped: 'Apagado',
      logged_out: 'Se cerró la sesión: hay que vincular de nuevo',
      replaced: 'Abierto en otro lugar',
      failed: 'Con problemas: avisa al soporte',
    },
    unknown: (state) => `Estado: ${state}`,
    none: 'Sin noticias todavía',
  },
  consent: {
    title: '¿Usar esta pestaña para proteger WhatsApp?',
    body: [
      'Mientras esta pestaña esté abierta, el tráfico de WhatsApp del restaurante (mensajes, ' +
        'fotos y archivos) saldrá por la conexión a internet de este local, en lugar de por el ' +
        'servidor.',
      'Así WhatsApp ve la conexión del restaurante y es menos probable que bloquee el número.',
      'El contenido de los mensajes va cifrado: este navegador no puede leerlo. Puedes ' +
        'pausarlo cuando quieras.',
    ],
    accept: 'Sí, usar esta pestaña',
    decline: 'Ahora no',
    declinedBanner:
      'Este navegador no lleva el tráfico de WhatsApp. WhatsApp funciona por el servidor, que ' +
      'es menos seguro.',
    enable: 'Usar esta pestaña',
    withdraw: 'Dejar de usar este navegador',
  },
  controls: {
    pause: 'Pausar protección',
    resume: 'Reanudar protección',
    pauseHint: 'Al pausar, WhatsApp sigue funcionando por el servidor.',
    details: 'Ver detalles',
    notificationsEnable: 'Activar avisos',
    notificationsOn: 'Avisos activados',
    notificationsBlocked: 'El navegador bloqueó los avisos; se mostrarán en esta página.',
    notificationsUnavailable: 'Este navegador no muestra avisos; se mostrarán en esta página.',
    language: 'Idioma',
    dismiss: 'Cerrar aviso',
    skip: 'Ir al contenido',
  },
  browser: {
    paused: 'En pausa: no lleva el tráfico de WhatsApp.',
    title: 'Este navegador',
    leader: 'Lleva el tráfico de WhatsApp.',
    standby: 'Otra pestaña de este navegador lleva el tráfico; esta espera por si se cierra.',
    off: 'No lleva el tráfico de WhatsApp.',
    carried: (requests, amount) =>
      `Ha llevado ${requests} ${requests === 1 ? 'envío' : 'envíos'} (${amount}).`,
  },
  history: { title: 'Avisos recientes', empty: 'Sin avisos.' },
  pages: {
    dashboard: { title: 'Panel del restaurante', connectLink: 'Vincular WhatsApp' },
    kds: {
      title: 'Pantalla de cocina',
      orders:
        'Deja esta pantalla abierta: además de mostrar los pedidos, protege el WhatsApp del ' +
        'restaurante.',
    },
    connect: {
      title: 'Vincular WhatsApp',
      intro: 'Vincula el teléfono del restaurante con el código QR o con un código de 8 letras.',
      qrTitle: 'Con el código QR',
      qrSteps: [
        'Abre WhatsApp en el teléfono del restaurante.',
        'Ve a Ajustes › Dispositivos vinculados › Vincular un dispositivo.',
        'Apunta la cámara a este código.',
      ],
      qrAlt: 'Código QR para vincular WhatsApp',
      qrWaiting: 'Esperando el código QR…',
      start: 'Empezar a vincular',
      codeTitle: 'Con un código',
      codeIntro: 'Escribe el número del teléfono del restaurante con el prefijo del país.',
      phoneLabel: 'Número de teléfono',
      codeAsk: 'Pedir código',
      codeShown: (code) => `Escribe este código en el teléfono: ${code}`,
      codeFailed: 'No se pudo pedir el código. Revisa el número e inténtalo de nuevo.',
      connected: 'WhatsApp está vinculado y conectado.',
      backToDashboard: 'Volver al panel',
    },
  },
  errors: {
    backend: 'No se pudo hablar con el sistema del restaurante.',
    retry: 'Reintentar',
  },
};
