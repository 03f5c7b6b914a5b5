// The local Web Chat page: botframework-webchat talking Direct Line 3.0 to this host.
(function () {
  'use strict';

  const THEMES = {
    light: {
      backgroundColor: '#ffffff', bubbleBackground: '#f0f0f3', bubbleFromUserBackground: '#e3e4fa',
      bubbleTextColor: '#1f2328', bubbleFromUserTextColor: '#1f2328', sendBoxBackground: '#ffffff',
      sendBoxTextColor: '#1f2328', accent: '#4f52b2', subtle: '#6b6f76'
    },
    dark: {
      backgroundColor: '#26262b', bubbleBackground: '#33333a', bubbleFromUserBackground: '#3d3f7a',
      bubbleTextColor: '#e8e8ea', bubbleFromUserTextColor: '#ffffff', sendBoxBackground: '#1f1f23',
      sendBoxTextColor: '#e8e8ea', accent: '#8b8fe8', subtle: '#a0a0aa'
    }
  };

  const hostConfig = (theme) => ({
    fontFamily: 'Segoe UI, system-ui, sans-serif',
    containerStyles: {
      default: {
        backgroundColor: theme === 'dark' ? '#33333a' : '#ffffff',
        foregroundColors: {
          default: { default: theme === 'dark' ? '#e8e8ea' : '#1f2328', subtle: theme === 'dark' ? '#a0a0aa' : '#6b6f76' },
          accent: { default: theme === 'dark' ? '#8b8fe8' : '#4f52b2', subtle: theme === 'dark' ? '#8b8fe8' : '#4f52b2' },
          good: { default: '#2e9e57', subtle: '#2e9e57' },
          warning: { default: '#c78b00', subtle: '#c78b00' },
          attention: { default: '#d13438', subtle: '#d13438' }
        }
      },
      emphasis: { backgroundColor: theme === 'dark' ? '#2b2b31' : '#f0f0f3' }
    }
  });

  // The server decides who this browser is (its HttpOnly session cookie) and says so in the token response.
  let userId = null;

  let directLine = null;
  let store = null;
  let currentTheme = localStorage.getItem('partnerbot.theme') === 'dark' ? 'dark' : 'light';

  function applyTheme(theme, fromUser) {
    currentTheme = theme === 'dark' ? 'dark' : 'light';
    localStorage.setItem('partnerbot.theme', currentTheme);
    document.documentElement.setAttribute('data-theme', currentTheme);
    document.getElementById('theme-toggle').checked = currentTheme === 'dark';
    document.getElementById('theme-label').textContent = currentTheme === 'dark' ? 'Dark' : 'Light';
    render();
    if (fromUser && store) {
      // Tell the bot, which keeps the preference for every channel and for generated images.
      store.dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: 'theme', value: currentTheme } });
    }
  }

  function render() {
    if (!directLine || !store) return;
    window.WebChat.renderWebChat({
      directLine,
      store,
      userID: userId,
      username: 'You',
      locale: 'en-US',
      styleOptions: Object.assign({ hideUploadButton: true, botAvatarInitials: 'PB', userAvatarInitials: 'You' }, THEMES[currentTheme]),
      adaptiveCardsHostConfig: hostConfig(currentTheme)
    }, document.getElementById('webchat'));
  }

  async function start() {
    const response = await fetch('/v3/directline/tokens/generate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: '{}'
    });
    if (!response.ok) throw new Error('Could not start a chat (HTTP ' + response.status + ')');
    const { token, user } = await response.json();
    userId = user.id;
    directLine = window.WebChat.createDirectLine({ token, domain: location.origin + '/v3/directline', webSocket: true });
    store = window.WebChat.createStore({}, () => (next) => (action) => {
      if (action.type === 'DIRECT_LINE/CONNECT_FULFILLED') {
        // Direct Line does not deliver conversationUpdate; this event asks the bot for its welcome.
        setTimeout(() => store.dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: 'webchat/join', value: { theme: currentTheme } } }), 0);
      } else if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY') {
        const activity = action.payload.activity;
        if (activity.type === 'event' && activity.name === 'theme' && activity.from && activity.from.role === 'bot') {
          setTimeout(() => applyTheme(activity.value, false), 0);
        }
      }
      return next(action);
    });
    render();
  }

  document.getElementById('theme-toggle').addEventListener('change', (e) => applyTheme(e.target.checked ? 'dark' : 'light', true));
  document.documentElement.setAttribute('data-theme', currentTheme);
  document.getElementById('theme-toggle').checked = currentTheme === 'dark';
  document.getElementById('theme-label').textContent = currentTheme === 'dark' ? 'Dark' : 'Light';
  start().catch((err) => {
    document.getElementById('webchat').textContent = err.message;
  });
})();
