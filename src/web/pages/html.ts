// The pages' one template helper: a tagged template that escapes every interpolated value unless it
// is already Html (the result of another html`…`). Arrays are joined; null, undefined and false
// render nothing. There is no other way to put a value into a page. The emails use the same type
// (render/html.ts, where it lives).
export { Html, html, trusted, when, type Interpolation } from '../../render/html.ts';
