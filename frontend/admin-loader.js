// Loads the settings screens' bundle (once; the browser keeps the module) and mounts the screen
// of the current path into `el`. `failure` is shown when the bundle cannot be fetched.
let loaded = null;

export function load_admin(el, failure) {
  import('/pkg/crm_admin.js')
    .then(async (m) => {
      await m.default({ module_or_path: '/pkg/crm_admin_bg.wasm' });
      loaded = m;
      if (el.isConnected) m.mount(el);
    })
    .catch((e) => {
      console.error(e);
      el.textContent = failure;
    });
}

// Takes the screen down when the app leaves Settings (its key listeners and state go with it).
export function unload_admin() {
  if (loaded) loaded.unmount();
}
