import { registerUiComponents } from './uiComponents';

/** Entry of the webview bundle: registers our component layer, then tells the host it is ready. */
declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

registerUiComponents();
acquireVsCodeApi().postMessage({ type: 'ready' });
