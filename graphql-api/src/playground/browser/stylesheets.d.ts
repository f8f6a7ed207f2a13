// esbuild bundles the stylesheets the entry imports into playground.css; to TypeScript they are
// side-effect imports with nothing to type.
declare module '*.css';
