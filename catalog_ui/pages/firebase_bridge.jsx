// Firebase Web SDK bridge for the sign-in page: signs in with Firebase in the browser and hands the ID token
// to the server (LoginState.firebase_sign_in), which verifies it. Renders nothing; exposes
// window.catalogFirebase for the page's buttons. Firebase's own browser session is dropped right after,
// because the Catalog session (cookie + database) is the one that counts.
import { useEffect } from "react";
import { getApp, getApps, initializeApp } from "firebase/app";
import {
  GoogleAuthProvider,
  connectAuthEmulator,
  getAuth,
  inMemoryPersistence,
  setPersistence,
  signInWithEmailAndPassword,
  signInWithPopup,
  signOut,
} from "firebase/auth";

const APP_NAME = "catalog";

const MESSAGES = {
  "auth/invalid-credential": "Wrong e-mail or password.",
  "auth/invalid-login-credentials": "Wrong e-mail or password.",
  "auth/wrong-password": "Wrong e-mail or password.",
  "auth/user-not-found": "Wrong e-mail or password.",
  "auth/invalid-email": "Enter a valid e-mail address.",
  "auth/missing-password": "Enter your password.",
  "auth/user-disabled": "This Firebase account is disabled.",
  "auth/too-many-requests": "Too many attempts; Firebase asks you to wait a moment.",
  "auth/network-request-failed": "Firebase could not be reached; check the connection and try again.",
  "auth/popup-blocked": "The browser blocked the sign-in window; allow pop-ups for this site.",
};
const CANCELLED = new Set(["auth/popup-closed-by-user", "auth/cancelled-popup-request"]);

function firebaseAuth(config) {
  const existing = getApps().find((app) => app.name === APP_NAME);
  const app = existing ? getApp(APP_NAME) : initializeApp(config.options, APP_NAME);
  const auth = getAuth(app);
  if (config.emulatorUrl && !auth.emulatorConfig) {
    connectAuthEmulator(auth, config.emulatorUrl, { disableWarnings: true });
  }
  return auth;
}

async function signInThen(config, signIn) {
  try {
    const auth = firebaseAuth(config);
    await setPersistence(auth, inMemoryPersistence);
    const credential = await signIn(auth);
    const token = await credential.user.getIdToken();
    await signOut(auth);
    return { token, error: "" };
  } catch (error) {
    const code = error && error.code;
    if (CANCELLED.has(code)) {
      return { token: "", error: "" };
    }
    return { token: "", error: MESSAGES[code] || `Firebase sign-in failed (${code || error})` };
  }
}

export function FirebaseBridge({ apiKey, authDomain, projectId, emulatorUrl }) {
  useEffect(() => {
    const config = { options: { apiKey, authDomain, projectId }, emulatorUrl };
    window.catalogFirebase = {
      google: () => signInThen(config, (auth) => signInWithPopup(auth, new GoogleAuthProvider())),
      emailFromInputs: (emailId, passwordId) => {
        const email = document.getElementById(emailId).value.trim();
        const password = document.getElementById(passwordId).value;
        if (!email || !password) {
          return Promise.resolve({ token: "", error: "Enter your e-mail and password." });
        }
        return signInThen(config, (auth) => signInWithEmailAndPassword(auth, email, password));
      },
    };
    return () => {
      delete window.catalogFirebase;
    };
  }, [apiKey, authDomain, projectId, emulatorUrl]);
  return null;
}
