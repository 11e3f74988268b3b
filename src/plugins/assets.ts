import fastifyStatic from '@fastify/static'
import fp from 'fastify-plugin'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The URL to print for a static file: `/static/css/app.css` → `/static/css/app.3f9a0c1b2d.css`,
     * named after its content, so that browsers may keep it for a year. A path that is not one
     * of our files is returned as it is.
     */
    assetUrl (path: string): string
  }
}

export interface AssetsPluginOptions {
  /** Our own files (css, scripts, icon), served under /static/. */
  publicDir: string
  /** htmx's dist folder: only htmx.js and htmx.min.js are served, under /static/vendor/. */
  htmxDir: string
  /** false while editing (NODE_ENV=development): nothing is kept by browsers. */
  immutable: boolean
}

/** How long a browser keeps a fingerprinted file: its name changes with its content. */
export const ASSET_MAX_AGE = '365d'

const HTMX_FILES = ['htmx.js', 'htmx.min.js']

/** One static file: where it lives, the URL it has always had, and the URL named after its content. */
export interface Asset {
  root: string
  /** Relative to root, with `/`. */
  file: string
  url: string
  fingerprinted: string
}

function fingerprint (url: string, content: Buffer): string {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 10)
  const ext = extname(url)
  return `${url.slice(0, url.length - ext.length)}.${hash}${ext}`
}

function filesUnder (dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.startsWith('.'))
    .map((d) => relative(dir, join(d.parentPath, d.name)).split(sep).join('/'))
}

/** Every file we serve, hashed once at boot (a handful of small files). */
export function assetManifest (publicDir: string, htmxDir: string): Asset[] {
  const ours = filesUnder(publicDir).map((file) => ({ root: publicDir, file, url: `/static/${file}` }))
  const htmx = HTMX_FILES.map((file) => ({ root: htmxDir, file, url: `/static/vendor/${file}` }))
  return [...ours, ...htmx].map((a) => ({ ...a, fingerprinted: fingerprint(a.url, readFileSync(join(a.root, a.file))) }))
}

/**
 * Static files: at their plain URLs (revalidated each time: a page cached elsewhere may still
 * name them), and at fingerprinted URLs that the layout prints, kept by browsers for a year
 * (`immutable`: not even revalidated on reload). A page then costs its HTML alone once the
 * browser has the files. Compression comes from the delivery plugin, registered before this one.
 */
export default fp<AssetsPluginOptions>(async (app, opts) => {
  await app.register(fastifyStatic, { root: opts.publicDir, prefix: '/static/', dotfiles: 'deny', index: false, maxAge: 0 })
  await app.register(fastifyStatic, {
    root: opts.htmxDir,
    prefix: '/static/vendor/',
    decorateReply: false,
    index: false,
    maxAge: 0,
    allowedPath: (p) => HTMX_FILES.includes(p.replace(/^\//, ''))
  })

  const manifest = assetManifest(opts.publicDir, opts.htmxDir)
  const byUrl = new Map(manifest.map((a) => [a.url, a.fingerprinted]))
  app.decorate('assetUrl', (path: string) => byUrl.get(path) ?? path)

  const caching = opts.immutable ? { maxAge: ASSET_MAX_AGE, immutable: true } : { maxAge: 0, immutable: false }
  for (const asset of manifest) {
    app.get(asset.fingerprinted, { config: { public: true } }, (_req, reply) => reply.sendFile(asset.file, asset.root, caching))
  }
}, { name: 'assets' })
