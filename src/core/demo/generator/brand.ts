// The demo brand: a skincare shop with two WhatsApp numbers, its wa.me keywords, its template campaigns
// and the words its customers write. Fixed data; the generator's steps draw from it.

export const DEMO_CURRENCY = 'EUR';

export interface DemoPhone {
  phoneNumberId: string;
  display: string;
  digits: string;
  name: string;
  wabaId: string;
  countryPrefix: string;
}

export const DEMO_PHONES: DemoPhone[] = [
  {
    phoneNumberId: '109876543210001',
    display: '+49 30 12345678',
    digits: '493012345678',
    name: 'Lumen Skincare Berlin',
    wabaId: '201234567890001',
    countryPrefix: '49',
  },
  {
    phoneNumberId: '109876543210002',
    display: '+31 20 7654321',
    digits: '31207654321',
    name: 'Lumen Skincare Amsterdam',
    wabaId: '201234567890001',
    countryPrefix: '31',
  },
];

export const KEYWORDS = ['GLOW25', 'STORE-QR', 'NEWSLETTER10', 'ANA-LOVES-LUMEN'];

export const FIRST_NAMES = [
  'Anna',
  'Lukas',
  'Sofia',
  'Jonas',
  'Emma',
  'Noah',
  'Mia',
  'Finn',
  'Lena',
  'Milan',
  'Sanne',
  'Daan',
  'Julia',
  'Thijs',
  'Hannah',
  'Elif',
  'Mehmet',
  'Zoë',
  'Björn',
  'Chloé',
  'Aylin',
  'Jakub',
  'Fatima',
  'Yusuf',
  'Noor',
  'أحمد',
  'مريم',
  '李娜',
  'Ана',
  'Ζωή',
];
export const LAST_NAMES = [
  'Müller',
  'de Vries',
  'Schmidt',
  'Jansen',
  'Weber',
  'Bakker',
  'Fischer',
  'Visser',
  'Wagner',
  'Smit',
  'Becker',
  'Meyer',
  'Yılmaz',
  'Kowalski',
  'van Dijk',
  'Hoffmann',
  '',
  '✨',
  '🌸',
];

export const ORGANIC_TEXTS = [
  'Hi',
  'Hello',
  'Hallo!',
  'Do you ship to Austria?',
  'Is the vitamin C serum vegan?',
  'What are your opening hours?',
  'Hi, where is my order?',
  'Can I return a product?',
  'Goedemiddag',
  'Do you have gift cards?',
  'Which cream is good for dry skin?',
  'hello 👋',
  'Is there a discount for students?',
];
export const FOLLOW_UPS = [
  'Thanks!',
  'How much is shipping?',
  'Great, thank you 🙏',
  'Is it available in 50ml?',
  'When will it arrive?',
  'Perfect',
  'Can I pay with PayPal?',
  'ok',
  'Do you have samples?',
  'Super, danke!',
];

export const TEMPLATES = [
  {
    name: 'spring_glow_launch',
    buttons: [
      { title: 'Shop now', id: 'SHOP_NOW' },
      { title: 'Not interested', id: 'STOP' },
    ],
  },
  {
    name: 'restock_alert',
    buttons: [
      { title: 'Reserve mine', id: 'RESERVE' },
      { title: 'Maybe later', id: 'LATER' },
    ],
  },
  {
    name: 'black_week_preview',
    buttons: [
      { title: 'Get early access', id: 'EARLY' },
      { title: 'Unsubscribe', id: 'UNSUB' },
    ],
  },
];

export const LIST_ITEMS = [
  { id: 'kit-premium', title: 'Premium kit', description: 'Serum, cream and mask' },
  { id: 'kit-starter', title: 'Starter kit', description: 'Cleanser and day cream' },
  { id: 'kit-travel', title: 'Travel size', description: 'Minis for on the go' },
];
