/** The model registry's pages (small enough, about 5 KB gzipped, to be part of the initial bundle). */
export { ModelPage } from './ModelPage.tsx';
export { Models } from './Models.tsx';
export { VersionPage } from './VersionPage.tsx';
